using System.Globalization;

namespace Cpe.Vnf.Runtime;

/// <summary>
/// One cgroup, a VNF's or a zero-touch script's (docs/reference/vnf-runtime.md): on cgroup v2 (the box, the kernel lab) one directory with
/// cpu.max, cpu.weight, cpuset.cpus, memory.max, memory.high, memory.low and pids.max; on a cgroup v1 host (the
/// developer machines) one directory per controller with cpu.cfs_quota_us, cpu.shares, cpuset.cpus,
/// memory.limit_in_bytes, memory.soft_limit_in_bytes and pids.max. <paramref name="root"/> is where cgroups are
/// mounted (/sys/fs/cgroup), <paramref name="path"/> the OCI cgroupsPath, e.g. /cpe/vnf/firewall. Killing it kills
/// every process in it, however they forked.
/// </summary>
public sealed class Cgroup(string root, string path)
{
    static readonly string[] V1Controllers = ["cpu", "cpuacct", "cpuset", "memory", "pids"];

    public bool IsV2 { get; } = File.Exists(Path.Combine(root, "cgroup.controllers"));

    /// <summary>The cgroup's directories: one on v2, one per controller on v1.</summary>
    public IReadOnlyList<string> Directories => IsV2
        ? [Join(root)]
        : V1Controllers.Select(c => Join(Path.Combine(root, c))).ToList();

    string Join(string hierarchy) => Path.Combine(hierarchy, path.TrimStart('/'));

    string Dir(string controller) => IsV2 ? Join(root) : Join(Path.Combine(root, controller));

    /// <summary>Creates the cgroup with <paramref name="resources"/> applied. An existing one keeps its processes and gets the limits again.</summary>
    public void Create(SpecResources resources)
    {
        if (IsV2)
        {
            // Each level below the root must hand the controllers down to its children.
            string current = root;
            foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                File.WriteAllText(Path.Combine(current, "cgroup.subtree_control"), "+cpu +cpuset +memory +pids");
                current = Path.Combine(current, part);
                Directory.CreateDirectory(current);
            }
        }
        else
        {
            foreach (var c in V1Controllers) CreateV1(c);
        }
        Apply(resources);
    }

    void CreateV1(string controller)
    {
        string hierarchy = Path.Combine(root, controller), current = hierarchy;
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            string parent = current;
            current = Path.Combine(current, part);
            Directory.CreateDirectory(current);
            // A new v1 cpuset has no CPUs and no memory nodes, and accepts no process until it has both.
            if (controller == "cpuset")
                foreach (var f in new[] { "cpuset.cpus", "cpuset.mems" })
                    if (Read(Path.Combine(current, f)).Length == 0) File.WriteAllText(Path.Combine(current, f), Read(Path.Combine(parent, f)));
        }
    }

    void Apply(SpecResources r)
    {
        if (r.Cpu is { } cpu)
        {
            if (cpu.Quota is long quota)
            {
                ulong period = cpu.Period ?? 100_000;
                if (IsV2) Write("cpu", "cpu.max", $"{(quota > 0 ? quota.ToString(CultureInfo.InvariantCulture) : "max")} {period}");
                else { Write("cpu", "cpu.cfs_period_us", $"{period}"); Write("cpu", "cpu.cfs_quota_us", $"{quota}"); }
            }
            if (cpu.Shares is ulong shares)
            {
                // runc's conversion of v1 shares (2..262144) to v2 weight (1..10000).
                if (IsV2) Write("cpu", "cpu.weight", $"{1 + (Math.Clamp(shares, 2, 262144) - 2) * 9999 / 262142}");
                else Write("cpu", "cpu.shares", $"{shares}");
            }
            if (cpu.Cpus is { Length: > 0 } cpus) Write("cpuset", "cpuset.cpus", cpus);
        }
        if (r.Memory is { } memory)
        {
            if (memory.Limit is long limit)
            {
                Write("memory", IsV2 ? "memory.max" : "memory.limit_in_bytes", $"{limit}");
                if (IsV2) Write("memory", "memory.swap.max", "0");
            }
            if (memory.Reservation is long low) Write("memory", IsV2 ? "memory.low" : "memory.soft_limit_in_bytes", $"{low}");
        }
        if (r.Pids is { } pids) Write("pids", "pids.max", pids.Limit > 0 ? $"{pids.Limit}" : "max");
        foreach (var (key, value) in r.Unified ?? [])
        {
            if (!IsV2) continue;   // v2 only by definition; on v1 hosts the limits above are what applies
            if (key.Contains('/') || key.StartsWith("cgroup.", StringComparison.Ordinal)) throw new RuntimeSpecException($"unified key {key} is not a resource file");
            Write("memory", key, value);
        }
    }

    /// <summary>Moves process <paramref name="pid"/> (0: the caller) into every hierarchy of the cgroup.</summary>
    public void Join(int pid = 0)
    {
        foreach (var d in Directories) File.WriteAllText(Path.Combine(d, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
    }

    public bool Exists => Directory.Exists(Directories[0]);

    /// <summary>The processes in the cgroup now (on v1, as the pids hierarchy lists them).</summary>
    public IReadOnlyList<int> Processes()
    {
        string procs = Path.Combine(Dir("pids"), "cgroup.procs");
        if (!File.Exists(procs)) return [];
        return File.ReadAllLines(procs).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList();
    }

    /// <summary>
    /// SIGKILLs every process, repeating until none is left (a fork between reads is caught the next round), then
    /// waits until each one seen has finished dying: the cgroup stops listing a process as soon as it starts to exit,
    /// before it has (and when a PID namespace's init dies the kernel kills the rest itself).
    /// </summary>
    public async Task KillAllAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        string kill = Path.Combine(Dir("pids"), "cgroup.kill");
        var seen = new HashSet<int>();
        while (Processes() is { Count: > 0 } pids)
        {
            seen.UnionWith(pids);
            if (IsV2 && File.Exists(kill)) File.WriteAllText(kill, "1");
            else foreach (var pid in pids) Cpe.Interop.Signals.Kill(pid);
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"cgroup {path} still has processes {string.Join(' ', pids)}");
            await Task.Delay(5);
        }
        while (seen.Any(Cpe.Interop.ProcessState.IsRunning) && DateTime.UtcNow < deadline) await Task.Delay(5);
    }


    /// <summary>
    /// Removes the (empty) cgroup's directories; the shared parents stay. rmdir fails while a process that just died
    /// is still accounted, so each is tried again for up to a second.
    /// </summary>
    public void Remove()
    {
        foreach (var d in Directories)
            for (int attempt = 0; Directory.Exists(d); attempt++)
            {
                try { Directory.Delete(d); }
                catch (IOException) when (attempt < 100) { Thread.Sleep(10); }
            }
    }

    /// <summary>CPU time used, memory in use, and processes, from the cgroup's own counters.</summary>
    public CgroupUsage Usage()
    {
        TimeSpan cpu = IsV2
            ? TimeSpan.FromMicroseconds(long.Parse(File.ReadLines(Path.Combine(Dir("cpu"), "cpu.stat")).First(l => l.StartsWith("usage_usec ", StringComparison.Ordinal))[11..], CultureInfo.InvariantCulture))
            : TimeSpan.FromTicks(long.Parse(Read(Path.Combine(Dir("cpuacct"), "cpuacct.usage")), CultureInfo.InvariantCulture) / 100);
        long memory = long.Parse(Read(Path.Combine(Dir("memory"), IsV2 ? "memory.current" : "memory.usage_in_bytes")), CultureInfo.InvariantCulture);
        int pids = int.Parse(Read(Path.Combine(Dir("pids"), "pids.current")), CultureInfo.InvariantCulture);
        return new CgroupUsage(cpu, memory, pids);
    }

    /// <summary>A limit file's content, e.g. ReadLimit("memory", "memory.max"), for show commands and tests.</summary>
    public string ReadLimit(string controller, string file) => Read(Path.Combine(Dir(controller), file));

    void Write(string controller, string file, string value)
    {
        string target = Path.Combine(Dir(controller), file);
        try { File.WriteAllText(target, value); }
        catch (IOException e) { throw new RuntimeSpecException($"cgroup {path}: writing '{value}' to {file} failed: {e.Message}"); }
    }

    static string Read(string file) => File.ReadAllText(file).Trim();
}

public sealed record CgroupUsage(TimeSpan Cpu, long MemoryBytes, int Processes);
