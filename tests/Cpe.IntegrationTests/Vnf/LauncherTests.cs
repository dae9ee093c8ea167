using System.Diagnostics;
using System.Globalization;
using Cpe.TestKit;
using Cpe.Vnf.Packages;
using Cpe.Vnf.Runtime;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>
/// cpe-runtime on this machine's cgroup v1 hierarchy, with runc as the peer on the same bundle: a busybox VNF's
/// isolation is checked from outside (its /proc entry, its namespaces, its cgroup files), its output lands in the
/// bounded log, and a kill ends it with the cgroup removed and the exit recorded.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class LauncherTests : IDisposable
{
    readonly TempFolder _dir = new("cpe-vnf-run-");
    readonly TestNamespace _net = new();
    readonly string _id = "t" + Guid.NewGuid().ToString("N")[..10];
    const string CgroupRoot = "/sys/fs/cgroup", Parent = BusyboxVnf.CgroupParent;

    string Bundle => _dir["bundle"];

    RuntimeSpec MakeBundle(string script, string instance) => BusyboxVnf.Write(Bundle, instance, script, _net.Path).Spec;

    // What the VNF sees and may do, as one line: a user namespace (seccomp refuses it), a mount (no CAP_SYS_ADMIN), a raw socket (CAP_NET_RAW granted).
    const string Probe = """
        b=/bin/busybox
        userns=$($b unshare -U $b true 2>/dev/null && echo yes || echo no)
        mount=$($b mount -t tmpfs x /tmp 2>/dev/null && echo yes || echo no)
        echo started pid=$$ host=$($b hostname) uid=$($b id -u) userns=$userns mount=$mount
        exec $b sleep 60
        """;

    [Fact]
    public async Task A_vnf_runs_isolated_as_pid_1_with_its_user_capabilities_filter_and_cgroup_limits_as_seen_from_outside()
    {
        MakeBundle(Probe, _id);
        string state = _dir["state"], log = _dir["vnf.log"];
        using var run = Start(Binaries.Runtime, "run", "--bundle", Bundle, "--state", state, "--log", log, _id);
        int pid = await WaitForPidFileAsync(Path.Combine(state, "pid"), run);
        await WaitForAsync(() => File.Exists(log) && File.ReadAllText(log).Contains("started"), run, "the VNF's first line in its log");

        var facts = Isolation(pid);
        Assert.Equal($"started pid=1 host={_id} uid=1000 userns=no mount=no\n", File.ReadAllText(log));
        AssertIsolated(facts, pid);
        // Limits from the descriptor, in the cgroup v1 files of this host.
        var cgroup = new Cgroup(CgroupRoot, $"{Parent}/{_id}");
        Assert.Equal("16", cgroup.ReadLimit("pids", "pids.max"));
        Assert.Equal($"{32 << 20}", cgroup.ReadLimit("memory", "memory.limit_in_bytes"));
        Assert.Equal("50000", cgroup.ReadLimit("cpu", "cpu.cfs_quota_us"));
        Assert.Equal("0", cgroup.ReadLimit("cpuset", "cpuset.cpus"));
        Assert.Equal($"{(32 << 20) / 10 * 9 & ~4095}", cgroup.ReadLimit("memory", "memory.soft_limit_in_bytes"));
        Assert.Contains(pid, cgroup.Processes());
        Assert.True(cgroup.Usage().Processes >= 1);

        // A command run inside it (what exec health checks use): its namespaces, user and cgroup, and its exit status.
        using (var exec = Start(Binaries.Runtime, "exec", "--bundle", Bundle, "--pid", $"{pid}", "--",
            "/bin/busybox", "sh", "-c", "echo $(/bin/busybox hostname) $(/bin/busybox id -u) $(/bin/busybox cat /proc/1/cmdline | /bin/busybox tr '\\0' ' '); exit 3"))
        {
            string output = await exec.StandardOutput.ReadToEndAsync();
            string errors = await exec.StandardError.ReadToEndAsync();
            await exec.WaitForExitAsync();
            Assert.True(exec.ExitCode == 3, $"exit {exec.ExitCode}: {errors}");
            Assert.Equal($"{_id} 1000 /bin/busybox sleep 60\n", output);
        }

        // sh as PID 1 has no SIGTERM handler, so only a kill of the cgroup ends it: the monitor records it and cleans up.
        await cgroup.KillAllAsync(TimeSpan.FromSeconds(10));
        await run.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(137, run.ExitCode);
        Assert.StartsWith("signal 9\n", File.ReadAllText(Path.Combine(state, "exit")));
        Assert.False(cgroup.Exists);
    }

    [Fact]
    public async Task A_fork_bomb_stops_at_the_pids_limit_and_a_memory_hog_is_killed_at_the_memory_limit()
    {
        // Forks without end: at pids.max (16) the kernel refuses, and the shell gives up (ash exits 2 on "can't fork").
        MakeBundle("while true; do /bin/busybox sleep 600 & done", _id);
        string log = _dir["bomb.log"];
        using (var run = Start(Binaries.Runtime, "run", "--bundle", Bundle, "--state", _dir["bomb"], "--log", log, _id))
        {
            await run.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("can't fork: Resource temporarily unavailable", File.ReadAllText(log));
            Assert.StartsWith("exit 2\n", File.ReadAllText(Path.Combine(_dir["bomb"], "exit")));
            Assert.False(new Cgroup(CgroupRoot, $"{Parent}/{_id}").Exists);   // and everything it started went with it
        }

        // Builds a 100 MB string in a 32 MiB cgroup: the kernel's OOM killer ends it inside its cgroup.
        string hog = "h" + _id[1..];
        MakeBundle("x=$(/bin/busybox head -c 100000000 /dev/zero | /bin/busybox tr '\\0' a); echo survived ${#x}", hog);
        using (var run = Start(Binaries.Runtime, "run", "--bundle", Bundle, "--state", _dir["hog"], hog))
        {
            await run.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.StartsWith("signal 9\n", File.ReadAllText(Path.Combine(_dir["hog"], "exit")));
            Assert.False(new Cgroup(CgroupRoot, $"{Parent}/{hog}").Exists);
        }
    }

    [Fact]
    public async Task Runc_runs_the_same_bundle_with_the_same_isolation()
    {
        MakeBundle(Probe, _id);
        using var run = Start("runc", "--root", _dir["runc-state"], "run", "--bundle", Bundle, "--pid-file", _dir["runc.pid"], _id);
        int pid = await WaitForPidFileAsync(_dir["runc.pid"], run);
        await WaitForAsync(() => Isolation(pid).ContainsKey("NSpid"), run, "runc's VNF");
        AssertIsolated(Isolation(pid), pid);
        Command.Run("runc", ["--root", _dir["runc-state"], "kill", _id, "KILL"]);
        await run.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_bundle_the_launcher_cannot_honour_is_refused_before_anything_starts()
    {
        var spec = MakeBundle(Probe, _id);
        BundleWriter.Write(Bundle, spec with { Linux = spec.Linux with { Seccomp = spec.Linux.Seccomp! with { Syscalls = [new(["no_such_call"], "SCMP_ACT_ERRNO")] } } });
        using var run = Start(Binaries.Runtime, "run", "--bundle", Bundle, _id);
        run.WaitForExit(10_000);
        Assert.Equal(125, run.ExitCode);
        Assert.Contains("cpe-runtime: seccomp: unknown system call 'no_such_call'", run.StandardError.ReadToEnd());
        Assert.False(new Cgroup(CgroupRoot, $"{Parent}/{_id}").Exists);
    }

    [Fact]
    public void A_bundle_from_runc_spec_runs_under_both_runtimes_and_its_cgroup_mount_is_refused_by_name()
    {
        // runc's own template leaves out what the runtime spec makes optional (mount options, a cgroup path) and asks
        // for ambient capabilities it does not make inheritable, which the kernel ignores.
        Directory.CreateDirectory(Path.Combine(Bundle, "rootfs", "bin"));
        File.Copy("/bin/busybox", Path.Combine(Bundle, "rootfs", "bin", "busybox"));
        Command.Run("runc", ["spec", "--bundle", Bundle]);
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Bundle, "config.json")))!;
        Assert.Contains(config["mounts"]!.AsArray(), m => m!["options"] is null);
        config["process"]!["terminal"] = false;
        config["process"]!["args"] = new System.Text.Json.Nodes.JsonArray("/bin/busybox", "sh", "-c", "echo hello from $(/bin/busybox hostname) as $(/bin/busybox id -u)");
        config["linux"]!["cgroupsPath"] = $"{Parent}/{_id}";
        File.WriteAllText(Path.Combine(Bundle, "config.json"), config.ToJsonString());

        var refused = Assert.Throws<InvalidOperationException>(() => Command.Run(Binaries.Runtime, ["run", "--bundle", Bundle, _id]));
        Assert.Contains("(125): cpe-runtime: the mount of cgroup on /sys/fs/cgroup is not supported", refused.Message);
        Assert.False(new Cgroup(CgroupRoot, $"{Parent}/{_id}").Exists);

        var mounts = config["mounts"]!.AsArray();
        mounts.Remove(mounts.Single(m => m!["type"]!.GetValue<string>() == "cgroup"));
        File.WriteAllText(Path.Combine(Bundle, "config.json"), config.ToJsonString());
        Assert.Equal("hello from runc as 0\n", Command.Run(Binaries.Runtime, ["run", "--bundle", Bundle, _id]));
        Assert.Equal("hello from runc as 0\n", Command.Run("runc", ["--root", _dir["runc-state"], "run", "--bundle", Bundle, _id]).Replace("\r", ""));
    }

    void AssertIsolated(Dictionary<string, string> facts, int pid)
    {
        Assert.Equal($"{pid}\t1", facts["NSpid"]);                   // its own PID namespace, where it is PID 1
        Assert.Equal("1000\t1000\t1000\t1000", facts["Uid"]);
        Assert.Equal("1000\t1000\t1000\t1000", facts["Gid"]);
        Assert.Equal(["CAP_NET_RAW"], Capabilities.Decode(ulong.Parse(facts["CapEff"], NumberStyles.HexNumber)));
        Assert.Equal(["CAP_NET_RAW"], Capabilities.Decode(ulong.Parse(facts["CapBnd"], NumberStyles.HexNumber)));
        Assert.Equal("1", facts["NoNewPrivs"]);
        Assert.Equal("2", facts["Seccomp"]);                         // a filter
        Assert.Equal(_id, Command.Run("nsenter", ["-t", $"{pid}", "-u", "/bin/hostname"]).Trim());
        foreach (var ns in new[] { "pid", "mnt", "uts", "ipc" })
            Assert.NotEqual(Link($"/proc/self/ns/{ns}"), Link($"/proc/{pid}/ns/{ns}"));
        Assert.Equal(Link($"/proc/{Command.Run("ip", ["netns", "pids", _net.Name]).Split('\n')[0].Trim()}/ns/net"), Link($"/proc/{pid}/ns/net"));
        // Its mounts: proc, a read-only sysfs, the root read-only, and nothing of the host's beyond them.
        var mounts = File.ReadAllLines($"/proc/{pid}/mountinfo").Select(l => l.Split(' ')).ToDictionary(f => f[4], f => f[5]);
        Assert.StartsWith("ro", mounts["/"]);
        Assert.StartsWith("ro", mounts["/sys"]);
        Assert.Contains("/proc", mounts.Keys);
        Assert.Equal("character special file", Command.Run("stat", ["-c", "%F", $"/proc/{pid}/root/dev/null"]).Trim());
        Assert.DoesNotContain(mounts.Keys, m => m.StartsWith("/home", StringComparison.Ordinal) || m.StartsWith("/work", StringComparison.Ordinal));
        Assert.Contains($"{Parent}/{_id}", File.ReadAllText($"/proc/{pid}/cgroup"));
    }

    static string Link(string path) => new FileInfo(path).LinkTarget ?? "";

    static Dictionary<string, string> Isolation(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status").Select(l => l.Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());

    static Process Start(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    static async Task<int> WaitForPidFileAsync(string path, Process run)
    {
        await WaitForAsync(() => File.Exists(path) && File.ReadAllText(path).Trim().Length > 0, run, path);
        return int.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture);
    }

    static async Task WaitForAsync(Func<bool> condition, Process run, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            if (run.HasExited) throw new InvalidOperationException($"{what}: the launcher exited with {run.ExitCode}: {run.StandardError.ReadToEnd()}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} did not appear");
            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
        // Whatever a failed test left: the VNFs' cgroups (their processes killed), runc's container, the namespace.
        foreach (var id in new[] { _id, "h" + _id[1..] }) BusyboxVnf.RemoveCgroupAsync(id).GetAwaiter().GetResult();
        Command.Run("runc", ["--root", _dir["runc-state"], "delete", "--force", _id], check: false);
        _net.Dispose();
        _dir.Dispose();
    }
}
