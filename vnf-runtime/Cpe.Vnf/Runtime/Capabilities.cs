namespace Cpe.Vnf.Runtime;

/// <summary>Capability names as the OCI spec writes them, and their numbers (linux/capability.h).</summary>
public static class Capabilities
{
    static readonly string[] Names =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
        "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN",
        "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    public static int Number(string name)
    {
        int n = Array.IndexOf(Names, name);
        return n >= 0 ? n : throw new RuntimeSpecException($"unknown capability {name}");
    }

    public static ulong Mask(IEnumerable<string> names) => names.Aggregate(0UL, (mask, name) => mask | 1UL << Number(name));

    /// <summary>The names in a mask such as /proc/PID/status's CapEff, for messages and tests.</summary>
    public static IReadOnlyList<string> Decode(ulong mask) => Enumerable.Range(0, 64).Where(i => (mask >> i & 1) != 0)
        .Select(i => i < Names.Length ? Names[i] : $"CAP_{i}").ToList();
}
