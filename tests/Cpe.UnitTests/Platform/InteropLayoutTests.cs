using System.Diagnostics;
using System.Runtime.InteropServices;
using Cpe.Interop;

namespace Cpe.UnitTests.Platform;

/// <summary>The C layouts and constants the interop library hard-codes, checked against the system headers.</summary>
public class InteropLayoutTests
{
    [Fact]
    public void Termios_winsize_and_ioctl_numbers_match_the_headers()
    {
        string dir = Directory.CreateTempSubdirectory("cpe-layout-").FullName;
        try
        {
            string src = Path.Combine(dir, "layout.c");
            File.WriteAllText(src, """
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
            Run("cc", $"-o {dir}/layout {src}");
            string output = Run($"{dir}/layout", "").Trim();
            string expected = string.Join(' ',
                Marshal.SizeOf<Termios>(), Marshal.OffsetOf<Termios>("c_cc"), Marshal.OffsetOf<Termios>("c_ispeed"),
                Marshal.SizeOf<WinSize>(), WinSize.TIOCGWINSZ, WinSize.TIOCSWINSZ, Termios.VMIN, Termios.VTIME,
                Terminal.BaudConstant(115200), Terminal.BaudConstant(9600), Termios.CRTSCTS, Termios.CS8, Termios.OPOST, Termios.ONLCR);
            Assert.Equal(expected, output);
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
