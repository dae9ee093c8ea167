using System.Globalization;
using System.Text.Json.Nodes;
using Cpe.TestKit;
using Cpe.Vnf.Packages;
using Cpe.Vnf.Runtime;

/// <summary>
/// Start latency on cgroup v2 in the kernel lab (docs/benchmarks.md), where crun runs: our launcher and crun each run
/// the same busybox /bin/true bundle, one after the other, many times; the figure is wall time per run from the guest's
/// clock. The lab is emulated (TCG), so the absolute times are inflated; the ratio is what compares.
/// </summary>
static class VnfLabBench
{
    const int Runs = 20;

    public static async Task<JsonObject> RunAsync()
    {
        using var dir = new TempFolder("cpe-bench-lab-");
        var labels = new Dictionary<string, string>
        {
            ["org.cpe.vnf.name"] = "probe", ["org.cpe.vnf.version"] = "1.0.0", ["org.cpe.vnf.interfaces"] = "in:virtio:ingress,out:virtio:egress",
            ["org.cpe.vnf.memory"] = "32M", ["org.cpe.vnf.pids"] = "20",
        };
        var image = new OciImageConfig("amd64", "linux", new OciProcessConfig(User: "1000:1000", Entrypoint: ["/bin/busybox", "true"]), new OciRootFs("layers", []));
        BundleWriter.Write(dir.Path, BundleWriter.Spec(image, VnfDescriptor.FromLabels(labels), new InstancePlacement("probe", null, "1", CgroupV2: true)));
        // /proc/uptime has 10 ms steps: timing a series of runs keeps that below 1 %. Runs alternate between the two
        // runtimes' series so that neither has the warmer machine, and each runtime runs once untimed first: TCG
        // translates a program's code on its first runs, a cost real hardware does not have (it more than doubled our
        // first series in an early run, 274 ms a run against 152 ms for the second).
        var lab = await KernelLab.RunAsync(KernelLab.InTmpfsRoot($$"""
            mount -t cgroup2 none /sys/fs/cgroup
            mkdir -p /bundle/rootfs/bin && cp /bin/busybox /bundle/rootfs/bin/ && cp /lab/config.json /bundle/
            now() { cut -d' ' -f1 /proc/uptime; }
            /lab/cpe-runtime run --bundle /bundle probe >/dev/null 2>&1; /lab/crun run --bundle /bundle probe >/dev/null 2>&1
            for round in 1 2; do
              t0=$(now); for i in $(seq {{Runs / 2}}); do /lab/cpe-runtime run --bundle /bundle probe >/dev/null 2>&1; done; t1=$(now)
              echo "LAB ours $round $t0 $t1"
              t0=$(now); for i in $(seq {{Runs / 2}}); do /lab/crun run --bundle /bundle probe >/dev/null 2>&1; done; t1=$(now)
              echo "LAB crun $round $t0 $t1"
            done
            """), [Binaries.Runtime, "/usr/bin/crun", Path.Combine(dir.Path, "config.json")], nics: 0, modules: [], timeout: TimeSpan.FromSeconds(300));
        if (lab.ExitStatus != 0) throw new InvalidOperationException(lab.ToString());
        double Ms(string who) => lab.Facts.Where(f => f.StartsWith(who + " ", StringComparison.Ordinal))
            .Select(f => f.Split(' ')).Sum(p => double.Parse(p[3], CultureInfo.InvariantCulture) - double.Parse(p[2], CultureInfo.InvariantCulture)) * 1000 / Runs;
        double ours = Ms("ours"), crun = Ms("crun");
        return new JsonObject
        {
            ["what"] = "busybox /bin/true bundle, start to exit, sequential runs, cgroup v2, Debian's kernel under QEMU TCG",
            ["runs_each"] = Runs,
            ["cpe_runtime_ms_per_run"] = Math.Round(ours, 1),
            ["crun_ms_per_run"] = Math.Round(crun, 1),
            ["ratio_ours_to_crun"] = Math.Round(ours / crun, 2),
        };
    }
}
