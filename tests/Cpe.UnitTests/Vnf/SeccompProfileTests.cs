using System.Text.RegularExpressions;
using Cpe.Interop;
using Cpe.Vnf.Runtime;

namespace Cpe.UnitTests.Vnf;

/// <summary>
/// The default filter compiled to BPF and run by a small classic-BPF interpreter (the subset the compiler emits), so
/// the jump offsets are checked, not only the rule list; the system call numbers against the kernel headers.
/// </summary>
[Trait("Kind", "Unit")]
public sealed class SeccompProfileTests
{
    const uint X86_64 = 0xC000003E, I386 = 0x40000003;
    const uint Allow = 0x7fff0000, Eperm = 0x00050001, Enosys = 0x00050026, KillProcess = 0x80000000;
    static readonly Seccomp.BpfInstruction[] Program = SeccompProfile.Compile(SeccompProfile.Default());

    [Theory]
    [InlineData(0, 0ul, Allow)]                    // read
    [InlineData(165, 0ul, Eperm)]                  // mount
    [InlineData(272, 0ul, Eperm)]                  // unshare
    [InlineData(321, 0ul, Eperm)]                  // bpf
    [InlineData(56, 0x01200011ul, Allow)]          // clone as fork() calls it
    [InlineData(56, 0x10000000ul, Eperm)]          // clone with CLONE_NEWUSER
    [InlineData(56, 0x10000011ul, Eperm)]
    [InlineData(435, 0ul, Enosys)]                 // clone3
    [InlineData(0x40000000 + 165, 0ul, Eperm)]     // x32 mount
    [InlineData(0x40000000, 0ul, Eperm)]           // x32 read
    public void The_default_filter_decides_each_call_as_documented(int nr, ulong arg0, uint expected) =>
        Assert.Equal(expected, Run(X86_64, nr, arg0));

    [Fact]
    public void Another_architecture_kills_the_process() => Assert.Equal(KillProcess, Run(I386, 0, 0));

    [Fact]
    public void Every_number_is_the_kernel_headers_number()
    {
        const string header = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h";
        var numbers = Regex.Matches(File.ReadAllText(header), @"#define __NR_(\w+) (\d+)").ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
        foreach (var (name, nr) in SeccompProfile.Numbers) Assert.True(numbers.TryGetValue(name, out int expected) && expected == nr, $"{name}: ours {nr}, the header's {expected}");
    }

    [Fact]
    public void Unknown_calls_and_operators_are_refused_by_name()
    {
        Assert.Contains("unknown system call 'nope'", Assert.Throws<RuntimeSpecException>(() =>
            SeccompProfile.Compile(new SpecSeccomp(SeccompProfile.ActAllow, ["SCMP_ARCH_X86_64"], [new(["nope"], SeccompProfile.ActErrno)]))).Message);
        Assert.Contains("SCMP_CMP_GT is not supported", Assert.Throws<RuntimeSpecException>(() =>
            SeccompProfile.Compile(new SpecSeccomp(SeccompProfile.ActAllow, ["SCMP_ARCH_X86_64"], [new(["clone"], SeccompProfile.ActErrno, null, [new(0, 1, 0, "SCMP_CMP_GT")])]))).Message);
    }

    /// <summary>Classic BPF over struct seccomp_data: nr at 0, arch at 4, args from 16 (little-endian).</summary>
    static uint Run(uint arch, int nr, ulong arg0)
    {
        var data = new byte[64];
        BitConverter.TryWriteBytes(data.AsSpan(0), nr);
        BitConverter.TryWriteBytes(data.AsSpan(4), arch);
        BitConverter.TryWriteBytes(data.AsSpan(16), arg0);
        uint a = 0;
        for (int pc = 0; pc < Program.Length; pc++)
        {
            var i = Program[pc];
            switch (i.Code)
            {
                case 0x20: a = BitConverter.ToUInt32(data, (int)i.K); break;
                case 0x54: a &= i.K; break;
                case 0x15: pc += a == i.K ? i.JumpTrue : i.JumpFalse; break;
                case 0x35: pc += a >= i.K ? i.JumpTrue : i.JumpFalse; break;
                case 0x06: return i.K;
                default: throw new InvalidOperationException($"opcode 0x{i.Code:x} at {pc}");
            }
        }
        throw new InvalidOperationException("the program ran off its end");
    }
}
