using System.Security.Cryptography;
using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.Image;

/// <summary>
/// The console cable as a transport on the built image: QEMU's serial port (the box's ttyS0, its 16550 and Linux's
/// serial driver) on a pseudo-terminal, "cpe connect" on it as the technician's laptop. QEMU's serial port carries
/// about 130 KB/s toward the box, so a 44 MB bundle would take six minutes: the box starts with most of the bundle
/// already in /data/incoming from an earlier push that was cut off (its part and metadata files, as the console
/// leaves them), and the push resumes there over the real serial line, is checked whole, and installs with the same
/// checks as a download.
/// </summary>
[Trait("Kind", "Image")]
public sealed class ImageConsoleCableTests(ITestOutputHelper output) : IDisposable
{
    readonly TempFolder _dir = new("cpe-image-cable-");

    [Fact]
    public async Task A_firmware_bundle_push_cut_off_earlier_resumes_through_the_serial_console_and_installs()
    {
        string bundle = Binaries.FirmwareBundle("2.0.0");
        byte[] bytes = File.ReadAllBytes(bundle);
        int held = bytes.Length - 640 * 1024;
        string disk = ImageMachine.CopyImage(Binaries.FirmwareImage("1.0.0"), _dir.Path);
        File.WriteAllBytes(_dir["part"], bytes[..held]);
        File.WriteAllText(_dir["meta"], $"{bytes.Length} {Convert.ToHexStringLower(SHA256.HashData(bytes))}\n");
        ImageMachine.WriteDataFile(disk, _dir["part"], "/incoming/cpe-firmware-2.0.0.cpeu.part");
        ImageMachine.WriteDataFile(disk, _dir["meta"], "/incoming/cpe-firmware-2.0.0.cpeu.part.meta");

        await using var box = await ImageMachine.StartAsync(disk, _dir.Path, serialPty: true);
        using var laptop = new Laptop(await box.SerialPtyAsync(), _dir.Path);
        try
        {
            // The link comes once the console runs: before its login prompt when it waits for cped, else after.
            laptop.Screen.WaitFor("login: ", TimeSpan.FromSeconds(180));
            if (!laptop.Screen.Transcript.Contains("linked with the box's console", StringComparison.Ordinal))
                laptop.Screen.WaitFor("linked with the box's console", TimeSpan.FromSeconds(30));
            laptop.LogIn("root", "x");

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var sent = await laptop.SendAsync(bundle, output.WriteLine);
            output.WriteLine($"{bytes.Length - held} bytes through the serial console in {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.True(sent.ExitCode == 0, sent.Output);
            Assert.Contains($"resuming at {held} bytes, which the box already holds", sent.Output);
            Assert.Contains("the box saved it as /data/incoming/cpe-firmware-2.0.0.cpeu", sent.Output);
            laptop.Screen.WaitFor($"Received cpe-firmware-2.0.0.cpeu ({bytes.Length} bytes, SHA-256 as sent)", TimeSpan.FromSeconds(60));
            laptop.Screen.WaitFor("Install it with 'request system software add /data/incoming/cpe-firmware-2.0.0.cpeu'");
            laptop.Screen.WaitFor("> ");

            laptop.Screen.Type("file list\r");
            Assert.Matches($@"{bytes.Length}  \S+ \S+ UTC  cpe-firmware-2\.0\.0\.cpeu", laptop.Screen.WaitFor("> ", TimeSpan.FromSeconds(30)));
            laptop.Screen.Type("request system software add /data/incoming/cpe-firmware-2.0.0.cpeu\r");
            laptop.Screen.WaitFor("Installed 2.0.0 in slot b", TimeSpan.FromSeconds(300));
            laptop.Screen.WaitFor("> ", TimeSpan.FromSeconds(30));
            laptop.Screen.Type("show system software\r");
            Assert.Matches(@"b\s+\S+\s+2\.0\.0", laptop.Screen.WaitFor("> ", TimeSpan.FromSeconds(30)));
        }
        finally
        {
            output.WriteLine("the laptop's screen:\n" + laptop.Screen.Transcript);
        }
    }

    public void Dispose() => _dir.Dispose();
}
