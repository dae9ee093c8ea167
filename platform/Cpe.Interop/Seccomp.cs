using System.Runtime.InteropServices;

namespace Cpe.Interop;

/// <summary>Installs a classic-BPF seccomp filter on the calling thread (prctl PR_SET_SECCOMP, SECCOMP_MODE_FILTER).</summary>
public static class Seccomp
{
    const int PR_SET_SECCOMP = 22, SECCOMP_MODE_FILTER = 2;

    /// <summary>One BPF instruction as the kernel's struct sock_filter.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public readonly record struct BpfInstruction(ushort Code, byte JumpTrue, byte JumpFalse, uint K);

    [StructLayout(LayoutKind.Sequential)]
    struct SockFprog { public ushort Length; public nint Filter; }

    /// <summary>Needs no_new_privs (or CAP_SYS_ADMIN); lasts across execve and cannot be removed.</summary>
    public static unsafe void Install(ReadOnlySpan<BpfInstruction> program)
    {
        // SAFETY: the program is pinned, and the sock_fprog pointing at it is on this frame, while the kernel copies both during the call.
        fixed (BpfInstruction* p = program)
        {
            var prog = new SockFprog { Length = (ushort)program.Length, Filter = (nint)p };
            Libc.Check(Libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, (nuint)(&prog), 0, 0), "prctl", "PR_SET_SECCOMP");
        }
    }
}
