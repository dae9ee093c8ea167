using System.Globalization;
using System.Text.Json;
using Cpe.Vnf.Packages;

namespace Cpe.Vnf.Runtime;

/// <summary>Where and how one VNF instance runs: its name, network namespace, cores, and the cgroup parent.</summary>
public sealed record InstancePlacement(string Instance, string? NetworkNamespace, string? Cpus, bool CgroupV2, string CgroupParent = "/cpe/vnf");

/// <summary>
/// Writes an OCI runtime bundle (config.json next to rootfs/) for a VNF from its image config and descriptor
/// (docs/reference/vnf-runtime.md): own PID, mount, IPC, UTS and network namespaces; read-only root; minimal /dev,
/// /proc, read-only /sys, tmpfs /tmp and /run; a non-root user; only the capabilities the descriptor names;
/// no_new_privs; the default seccomp filter; cgroup limits from the descriptor, pinned to the board's VNF cores.
/// </summary>
public static class BundleWriter
{
    public const uint Nobody = 65534;
    const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static RuntimeSpec Spec(OciImageConfig image, VnfDescriptor vnf, InstancePlacement placement)
    {
        var process = image.Config ?? new OciProcessConfig();
        var args = (process.Entrypoint ?? []).Concat(process.Cmd ?? []).ToList();
        if (args.Count == 0) throw new RuntimeSpecException($"{vnf.Name}: the image has neither Entrypoint nor Cmd");
        var env = process.Env ?? [];
        if (!env.Any(e => e.StartsWith("PATH=", StringComparison.Ordinal))) env = [DefaultPath, .. env];
        var caps = vnf.Capabilities.ToList();
        var (uid, gid) = User(process.User, vnf.Name);

        var namespaces = new List<SpecNamespace> { new("pid"), new("ipc"), new("uts"), new("mount"), new("network", placement.NetworkNamespace) };
        long quota = (long)Math.Round(vnf.Cpus * 100_000), reclaimAt = vnf.MemoryBytes / 10 * 9 & ~4095L;   // whole pages, as the kernel keeps it
        var resources = new SpecResources(
            new SpecCpu(Shares: null, Quota: quota, Period: 100_000, Cpus: placement.Cpus),
            // Reclaim starts at 90 %, before the OOM killer has to act: memory.high on cgroup v2 (only expressible as
            // a unified key, which runc refuses on v1), the soft limit on v1.
            new SpecMemory(vnf.MemoryBytes, Reservation: placement.CgroupV2 ? null : reclaimAt),
            new SpecPids(vnf.Pids),
            Unified: placement.CgroupV2 ? new() { ["memory.high"] = reclaimAt.ToString(CultureInfo.InvariantCulture) } : null);
        return new RuntimeSpec("1.0.2",
            new SpecProcess(false, new SpecUser(uid, gid), args, env, process.WorkingDir is { Length: > 0 } cwd ? cwd : "/",
                new SpecCapabilities(caps, caps, caps, caps, caps), NoNewPrivileges: true),
            new SpecRoot("rootfs", Readonly: true),
            placement.Instance,
            DefaultMounts(),
            new SpecLinux(namespaces, $"{placement.CgroupParent}/{placement.Instance}", resources, MaskedPaths, ReadonlyPaths, SeccompProfile.Default()));
    }

    public static void Write(string bundle, RuntimeSpec spec)
    {
        Directory.CreateDirectory(bundle);
        File.WriteAllBytes(Path.Combine(bundle, "config.json"), JsonSerializer.SerializeToUtf8Bytes(spec, RuntimeSpecJson.Default.RuntimeSpec));
    }

    public static RuntimeSpec Read(string bundle)
    {
        string path = Path.Combine(bundle, "config.json");
        RuntimeSpec? spec;
        try { spec = JsonSerializer.Deserialize(File.ReadAllBytes(path), RuntimeSpecJson.Default.RuntimeSpec); }
        catch (JsonException e) { throw new RuntimeSpecException($"{path} is not a runtime spec: {e.Message}"); }
        catch (FileNotFoundException) { throw new RuntimeSpecException($"{path} is missing"); }
        return WithDefaults(spec ?? throw new RuntimeSpecException($"{path} is empty"), path);
    }

    /// <summary>
    /// A bundle someone else wrote (runc spec, say) leaves out what the runtime spec makes optional: those parts become
    /// empty here, and a missing part we cannot run without is named.
    /// </summary>
    static RuntimeSpec WithDefaults(RuntimeSpec s, string path)
    {
        RuntimeSpecException Missing(string what) => new($"{path} has no {what}");
        var p = s.Process ?? throw Missing("process");
        if (p.Args is not { Count: > 0 }) throw Missing("process.args");
        var linux = s.Linux ?? throw Missing("linux section");
        var caps = p.Capabilities ?? new SpecCapabilities([], [], [], [], []);
        return s with
        {
            Process = p with
            {
                User = p.User ?? throw Missing("process.user"),
                Env = p.Env ?? [],
                Cwd = p.Cwd ?? "/",
                Capabilities = new(caps.Bounding ?? [], caps.Effective ?? [], caps.Permitted ?? [], caps.Inheritable ?? [], caps.Ambient ?? []),
            },
            Root = s.Root ?? throw Missing("root"),
            Mounts = (s.Mounts ?? []).Select(m => m with { Options = m.Options ?? [] }).ToList(),
            Linux = linux with
            {
                Namespaces = linux.Namespaces ?? [],
                CgroupsPath = linux.CgroupsPath ?? throw Missing("linux.cgroupsPath (a VNF's cgroup is named by its runner)"),
                Resources = linux.Resources ?? new SpecResources(null, null, null),
                MaskedPaths = linux.MaskedPaths ?? [],
                ReadonlyPaths = linux.ReadonlyPaths ?? [],
            },
        };
    }

    /// <summary>The image's User as numbers: "uid[:gid]", never root; nothing set means nobody.</summary>
    static (uint Uid, uint Gid) User(string? user, string vnf)
    {
        if (string.IsNullOrEmpty(user)) return (Nobody, Nobody);
        var parts = user.Split(':');
        if (parts.Length > 2 || !uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid)
            || !uint.TryParse(parts.Length == 2 ? parts[1] : parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint gid))
            throw new RuntimeSpecException($"{vnf}: the image's User '{user}' must be numeric, UID[:GID] (the box has no user database for VNFs)");
        if (uid == 0 || gid == 0) throw new RuntimeSpecException($"{vnf}: the image's User is root; a VNF runs as an unprivileged user");
        return (uid, gid);
    }

    static List<SpecMount> DefaultMounts() =>
    [
        new("/proc", "proc", "proc", ["nosuid", "noexec", "nodev"]),
        new("/dev", "tmpfs", "tmpfs", ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        new("/dev/pts", "devpts", "devpts", ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]),
        new("/dev/shm", "tmpfs", "shm", ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
        new("/dev/mqueue", "mqueue", "mqueue", ["nosuid", "noexec", "nodev"]),
        new("/sys", "sysfs", "sysfs", ["nosuid", "noexec", "nodev", "ro"]),
        new("/tmp", "tmpfs", "tmpfs", ["nosuid", "nodev", "mode=1777", "size=16m"]),
        new("/run", "tmpfs", "tmpfs", ["nosuid", "nodev", "mode=755", "size=4m"]),
    ];

    // What runc's default spec hides and makes read-only in /proc and /sys.
    static readonly List<string> MaskedPaths =
    [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
    ];

    static readonly List<string> ReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];
}
