using Cpe.TestKit;
using Cpe.Vnf.Packages;
using Cpe.Vnf.Runtime;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>
/// The launcher's cgroup v2 path for real, in the kernel lab (Debian's kernel, cgroup2 with every controller), with
/// crun as the peer on the same bundle: limits in the v2 files, PID 1 in its namespace, its user and capabilities,
/// and a kill through cgroup.kill that leaves no cgroup behind.
/// </summary>
[Trait("Kind", "KernelLab")]
public sealed class LabLauncherTests : IDisposable
{
    readonly TempFolder _dir = new("cpe-vnf-lab-");

    [Fact]
    public async Task On_cgroup_v2_cpe_runtime_and_crun_run_the_same_bundle_with_the_same_limits_and_isolation()
    {
        var labels = PackageLab.Labels("probe");
        labels["org.cpe.vnf.cpus"] = "0.25";
        labels["org.cpe.vnf.pids"] = "20";
        var image = new OciImageConfig("amd64", "linux",
            new OciProcessConfig(User: "1000:1000", Entrypoint: ["/bin/busybox", "sh", "-c", "echo started pid=$$ uid=$(/bin/busybox id -u); exec /bin/busybox sleep 60"]),
            new OciRootFs("layers", []));
        var spec = BundleWriter.Spec(image, VnfDescriptor.FromLabels(labels), new InstancePlacement("probe", "/run/netns/vnf", "1", CgroupV2: true));
        BundleWriter.Write(_dir.Path, spec);
        // One launch per runtime, the same checks from outside for each (the cgroup path is the spec's). The kill waits
        // for the VNF's first line: the pid file comes before the VNF's exec, and under a loaded TCG a fixed second was
        // not always enough for the shell to echo (CI saw an empty log once).
        const string Check = """
            check() {
              name=$1; pidfile=$2; log=$3
              for i in $(seq 50); do [ -s $pidfile ] && break; sleep 0.1; done
              pid=$(cat $pidfile); cg=/sys/fs/cgroup/cpe/vnf/probe
              for i in $(seq 300); do grep -q started $log 2>/dev/null && break; sleep 0.1; done
              echo "LAB $name nspid=$(grep NSpid /proc/$pid/status | tr -s '\t' ' ' | cut -d' ' -f3) uid=$(grep ^Uid /proc/$pid/status | cut -f2) capeff=$(grep CapEff /proc/$pid/status | cut -f2) seccomp=$(grep '^Seccomp:' /proc/$pid/status | cut -f2)"
              echo "LAB $name cgroup=$(cat /proc/$pid/cgroup) memory.max=$(cat $cg/memory.max) memory.high=$(cat $cg/memory.high) pids.max=$(cat $cg/pids.max) cpu.max=$(cat $cg/cpu.max) cpuset.cpus=$(cat $cg/cpuset.cpus)"
              echo 1 > $cg/cgroup.kill 2>/dev/null || true
            }
            """;
        // Chrooted into a tmpfs: pivot_root cannot leave the lab's initramfs (KernelLab.InTmpfsRoot).
        var lab = await KernelLab.RunAsync(KernelLab.InTmpfsRoot(Check + """

            mount -t cgroup2 none /sys/fs/cgroup
            mkdir -p /run/netns /bundle/rootfs/bin && cp /bin/busybox /bundle/rootfs/bin/ && cp /lab/config.json /bundle/
            /lab/ip netns add vnf
            /lab/cpe-runtime run --bundle /bundle --state /tmp/st --log /tmp/vnf.log probe &
            check ours /tmp/st/pid /tmp/vnf.log
            wait $! || true
            echo "LAB ours log=$(cat /tmp/vnf.log) exit=$(head -1 /tmp/st/exit) left=$(ls /sys/fs/cgroup/cpe/vnf | grep -c probe)"
            /lab/crun run --bundle /bundle --pid-file /tmp/crun.pid probe > /tmp/crun.log 2>&1 &
            check crun /tmp/crun.pid /tmp/crun.log
            wait $! || true
            /lab/crun delete -f probe 2>/dev/null || true
            echo "LAB crun log=$(cat /tmp/crun.log)"
            """), [Binaries.Runtime, "/usr/bin/crun", Path.Combine(_dir.Path, "config.json")], nics: 0, modules: [], timeout: TimeSpan.FromSeconds(120));

        Assert.True(lab.ExitStatus == 0, lab.ToString());
        foreach (var who in new[] { "ours", "crun" })
        {
            Assert.True(lab.Facts.Contains($"{who} nspid=1 uid=1000 capeff=0000000000002000 seccomp=2"), lab.ToString());
            Assert.True(lab.Facts.Contains($"{who} cgroup=0::/cpe/vnf/probe memory.max={32 << 20} memory.high={(32 << 20) / 10 * 9 & ~4095} pids.max=20 cpu.max=25000 100000 cpuset.cpus=1"), lab.ToString());
        }
        Assert.Contains("ours log=started pid=1 uid=1000 exit=signal 9 left=0", lab.Facts);
        Assert.Contains("crun log=started pid=1 uid=1000", lab.Facts);
    }

    public void Dispose() => _dir.Dispose();
}
