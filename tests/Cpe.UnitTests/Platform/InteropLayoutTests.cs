using System.Diagnostics;
using System.Runtime.InteropServices;
using Cpe.Interop;
using Tmds.Linux;

namespace Cpe.UnitTests.Platform;

/// <summary>The C layouts and constants the interop library hard-codes, checked against the system headers.</summary>
[Trait("Kind", "Unit")]
public class InteropLayoutTests
{
    [Fact]
    public void Termios_winsize_and_ioctl_numbers_match_the_headers()
    {
        string output = CompileAndRun("""
            #include <stdio.h>
            #include <stddef.h>
            #include <termios.h>
            #include <sys/ioctl.h>
            int main(void) {
              printf("%zu %zu %zu %zu %lu %lu %d %d %u %u %u %u %u %u\n", sizeof(struct termios), offsetof(struct termios, c_cc),
                offsetof(struct termios, c_ispeed), sizeof(struct winsize), (unsigned long)TIOCGWINSZ, (unsigned long)TIOCSWINSZ,
                VMIN, VTIME, (unsigned)B115200, (unsigned)B9600, (unsigned)CRTSCTS, (unsigned)CS8, (unsigned)OPOST, (unsigned)ONLCR);
              return 0;
            }
            """);
        string expected = string.Join(' ',
            Marshal.SizeOf<termios>(), Marshal.OffsetOf<termios>("c_cc"), Marshal.OffsetOf<termios>("__c_ispeed"),
            Marshal.SizeOf<winsize>(), TerminalFlags.TIOCGWINSZ, TerminalFlags.TIOCSWINSZ, TerminalFlags.VMIN, TerminalFlags.VTIME,
            Terminal.BaudConstant(115200), Terminal.BaudConstant(9600), TerminalFlags.CRTSCTS, TerminalFlags.CS8, TerminalFlags.OPOST, TerminalFlags.ONLCR);
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Device_mapper_structs_and_ioctl_numbers_match_the_headers()
    {
        string output = CompileAndRun("""
            #include <stdio.h>
            #include <stddef.h>
            #include <sys/ioctl.h>
            #include <linux/dm-ioctl.h>
            int main(void) {
              printf("%zu %zu %zu %zu %zu %lu %lu %lu %lu\n", sizeof(struct dm_ioctl), sizeof(struct dm_target_spec),
                offsetof(struct dm_ioctl, dev), offsetof(struct dm_ioctl, name), offsetof(struct dm_target_spec, target_type),
                (unsigned long)DM_DEV_CREATE, (unsigned long)DM_DEV_REMOVE, (unsigned long)DM_DEV_SUSPEND, (unsigned long)DM_TABLE_LOAD);
              return 0;
            }
            """);
        string expected = string.Join(' ', DeviceMapper.HeaderSize, DeviceMapper.TargetSpecSize, 40, 48, 24,
            DeviceMapper.Request(DeviceMapper.DM_DEV_CREATE_CMD), DeviceMapper.Request(DeviceMapper.DM_DEV_REMOVE_CMD),
            DeviceMapper.Request(DeviceMapper.DM_DEV_SUSPEND_CMD), DeviceMapper.Request(DeviceMapper.DM_TABLE_LOAD_CMD));
        Assert.Equal(expected, output);
    }

    /// <summary>Compiles a C program against the system headers, runs it and returns what it printed.</summary>
    static string CompileAndRun(string source)
    {
        string dir = Directory.CreateTempSubdirectory("cpe-layout-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "layout.c"), source);
            Run("cc", $"-o {dir}/layout {dir}/layout.c");
            return Run($"{dir}/layout", "").Trim();
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    static string Run(string file, string args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, output);
        return output;
    }
}
