using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.Image;

/// <summary>
/// The built firmware image on a QEMU box (OVMF, systemd-boot, the slot's kernel, busybox init, cped): the technician
/// plugs into the serial console, logs in and works as on the simulated board.
/// </summary>
public sealed class ImageConsoleTests(ITestOutputHelper output) : IDisposable
{
    readonly TempFolder _dir = new("cpe-image-");

    [Fact]
    public async Task The_serial_console_logs_in_shows_the_version_and_commits_a_change()
    {
        await using var box = await ImageMachine.StartAsync(ImageMachine.CopyImage(Binaries.FirmwareImage("1.0.0"), _dir.Path), _dir.Path);
        try
        {
            await box.WaitForAsync(@"cpe: CPE firmware 1\.0\.0 on slot a", TimeSpan.FromSeconds(120));
            await box.LoginAsync("root", "anything", TimeSpan.FromSeconds(180));
            output.WriteLine($"login prompt answered after {box.Clock.Elapsed.TotalSeconds:0.0} s");
            string version = await box.RunAsync("show version");
            Assert.Contains("1.0.0", version);
            Assert.Contains("cpe-lab-q35", version);
            Assert.Contains("NativeAOT", version);
            await box.RunAsync("configure", @"# $");
            await box.RunAsync("set system host-name site-42", @"# $");
            string commit = await box.RunAsync("commit", @"# $");
            Assert.Contains("commit complete", commit);
            await box.RunAsync("exit", @"> $");
            Assert.Contains("host-name site-42", await box.RunAsync("show configuration system"));
        }
        finally { output.WriteLine(box.Console); }
    }

    public void Dispose() => _dir.Dispose();
}
