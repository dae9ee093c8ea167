using Cpe.Interop;
using Cpe.Vnf;

namespace Cpe.Vnf.Runtime;

/// <summary>
/// The default seccomp filter of a VNF (docs/reference/vnf-runtime.md) and the compiler from the OCI form to classic
/// BPF. The default allows what a network function does and refuses with EPERM what only administers the machine:
/// mounts, modules, kexec, reboot, namespaces (unshare, setns, and clone with CLONE_NEWUSER, since a user namespace
/// needs no privilege), keyrings, BPF, ptrace and other processes' memory, clocks, swap, perf. clone3 answers ENOSYS,
/// as Docker's does, so that libc falls back to clone, whose flags a filter can see. Non-x86-64 and x32 calls are refused.
/// </summary>
public static class SeccompProfile
{
    public const string ActAllow = "SCMP_ACT_ALLOW", ActErrno = "SCMP_ACT_ERRNO", ActKill = "SCMP_ACT_KILL_PROCESS", ActLog = "SCMP_ACT_LOG";
    const uint EPERM = 1, ENOSYS = 38, CLONE_NEWUSER = 0x10000000;

    /// <summary>The x86-64 numbers of the system calls a profile may name (checked against asm/unistd_64.h by a test).</summary>
    public static readonly IReadOnlyDictionary<string, int> Numbers = new Dictionary<string, int>
    {
        ["clone"] = 56, ["ptrace"] = 101, ["syslog"] = 103, ["uselib"] = 134, ["personality"] = 135, ["ustat"] = 136, ["sysfs"] = 139,
        ["vhangup"] = 153, ["pivot_root"] = 155, ["_sysctl"] = 156, ["acct"] = 163, ["settimeofday"] = 164, ["mount"] = 165,
        ["umount2"] = 166, ["swapon"] = 167, ["swapoff"] = 168, ["reboot"] = 169, ["iopl"] = 172, ["ioperm"] = 173,
        ["create_module"] = 174, ["init_module"] = 175, ["delete_module"] = 176, ["get_kernel_syms"] = 177, ["query_module"] = 178,
        ["quotactl"] = 179, ["nfsservctl"] = 180, ["lookup_dcookie"] = 212, ["clock_settime"] = 227, ["kexec_load"] = 246,
        ["add_key"] = 248, ["request_key"] = 249, ["keyctl"] = 250, ["unshare"] = 272, ["move_pages"] = 279, ["perf_event_open"] = 298,
        ["name_to_handle_at"] = 303, ["open_by_handle_at"] = 304, ["clock_adjtime"] = 305, ["setns"] = 308, ["process_vm_readv"] = 310,
        ["process_vm_writev"] = 311, ["kcmp"] = 312, ["finit_module"] = 313, ["kexec_file_load"] = 320, ["bpf"] = 321,
        ["userfaultfd"] = 323, ["open_tree"] = 428, ["move_mount"] = 429, ["fsopen"] = 430, ["fsconfig"] = 431, ["fsmount"] = 432,
        ["fspick"] = 433, ["clone3"] = 435, ["mount_setattr"] = 442,
    };

    public static SpecSeccomp Default() => new(ActAllow, ["SCMP_ARCH_X86_64"],
    [
        new(["acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module", "delete_module", "finit_module", "fsconfig",
             "fsmount", "fsopen", "fspick", "get_kernel_syms", "init_module", "ioperm", "iopl", "kcmp", "kexec_file_load", "kexec_load",
             "keyctl", "lookup_dcookie", "mount", "mount_setattr", "move_mount", "move_pages", "name_to_handle_at", "nfsservctl",
             "open_by_handle_at", "open_tree", "perf_event_open", "pivot_root", "process_vm_readv", "process_vm_writev", "ptrace",
             "query_module", "quotactl", "reboot", "request_key", "setns", "settimeofday", "swapoff", "swapon", "syslog", "_sysctl",
             "umount2", "unshare", "uselib", "userfaultfd", "ustat", "vhangup"], ActErrno, EPERM),
        new(["clone3"], ActErrno, ENOSYS),
        new(["clone"], ActErrno, EPERM, [new SpecSyscallArg(0, CLONE_NEWUSER, CLONE_NEWUSER, "SCMP_CMP_MASKED_EQ")]),
    ]);

    // Classic BPF opcodes and seccomp return values (linux/filter.h, linux/seccomp.h).
    const ushort LdAbs = 0x20, JeqK = 0x15, JgeK = 0x35, AndK = 0x54, RetK = 0x06;
    const uint AuditArchX86_64 = 0xC000003E, X32Bit = 0x40000000;
    const uint RetKillProcess = 0x80000000, RetErrno = 0x00050000, RetLog = 0x7ffc0000, RetAllow = 0x7fff0000;
    const uint OffsetNr = 0, OffsetArch = 4, OffsetArgs = 16;

    /// <summary>The filter as BPF: the architecture check, then one test per system call of each rule, then the default.</summary>
    public static Seccomp.BpfInstruction[] Compile(SpecSeccomp spec)
    {
        if (spec.Architectures.Any(a => a != "SCMP_ARCH_X86_64")) throw new RuntimeSpecException($"seccomp: only SCMP_ARCH_X86_64 is supported, not {string.Join(", ", spec.Architectures)}");
        var program = new List<Seccomp.BpfInstruction>
        {
            new(LdAbs, 0, 0, OffsetArch),
            new(JeqK, 1, 0, AuditArchX86_64),
            new(RetK, 0, 0, RetKillProcess),
            new(LdAbs, 0, 0, OffsetNr),
            new(JgeK, 0, 1, X32Bit),
            new(RetK, 0, 0, RetErrno | EPERM),
        };
        foreach (var rule in spec.Syscalls)
        {
            uint action = Action(rule.Action, rule.ErrnoRet);
            foreach (var name in rule.Names)
            {
                if (!Numbers.TryGetValue(name, out int nr)) throw new RuntimeSpecException($"seccomp: unknown system call '{name}'");
                var args = rule.Args ?? [];
                // The test for one call: [nr?] [per argument: load, mask, compare] ret action [reload nr]
                int body = args.Count * 3 + 1 + (args.Count > 0 ? 1 : 0);
                program.Add(new(JeqK, 0, (byte)body, (uint)nr));
                for (int i = 0; i < args.Count; i++)
                {
                    var a = args[i];
                    if (a.Index > 5) throw new RuntimeSpecException($"seccomp: {name}: argument {a.Index} does not exist");
                    if (a.Value > uint.MaxValue || a.ValueTwo > uint.MaxValue) throw new RuntimeSpecException($"seccomp: {name}: only 32-bit argument values are supported");
                    var (mask, value) = a.Op switch
                    {
                        "SCMP_CMP_MASKED_EQ" => ((uint)a.Value, (uint)a.ValueTwo),
                        "SCMP_CMP_EQ" => (uint.MaxValue, (uint)a.Value),
                        _ => throw new RuntimeSpecException($"seccomp: {name}: operator {a.Op} is not supported (SCMP_CMP_EQ, SCMP_CMP_MASKED_EQ)"),
                    };
                    int remaining = (args.Count - i - 1) * 3;
                    program.Add(new(LdAbs, 0, 0, OffsetArgs + a.Index * 8));   // the low 32 bits (little-endian)
                    program.Add(new(AndK, 0, 0, mask));
                    program.Add(new(JeqK, 0, (byte)(remaining + 1), value));   // no match: skip to the reload
                }
                program.Add(new(RetK, 0, 0, action));
                if (args.Count > 0) program.Add(new(LdAbs, 0, 0, OffsetNr));
            }
        }
        program.Add(new(RetK, 0, 0, Action(spec.DefaultAction, null)));
        if (program.Count > 4096) throw new RuntimeSpecException("seccomp: the filter is longer than the kernel's 4096 instructions");
        return [.. program];
    }

    static uint Action(string action, uint? errno) => action switch
    {
        ActAllow => RetAllow,
        ActErrno => RetErrno | ((errno ?? EPERM) & 0xffff),
        ActKill or "SCMP_ACT_KILL" => RetKillProcess,
        ActLog => RetLog,
        _ => throw new RuntimeSpecException($"seccomp: action {action} is not supported"),
    };
}

/// <summary>A bundle asks for something the launcher does not do, or does it wrong: nothing was started.</summary>
public sealed class RuntimeSpecException(string message) : VnfException(message);
