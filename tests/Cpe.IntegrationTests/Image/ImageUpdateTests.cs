using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.Image;

/// <summary>
/// An update on the QEMU box, driven from the serial console as a technician would: v1 installs v2 from an HTTP
/// server into slot B, reboots into it, passes its health check and marks it good, raises the anti-rollback floor, and
/// refuses v1 afterwards with the reason.
/// </summary>
public sealed class ImageUpdateTests(ITestOutputHelper output) : IDisposable
{
    readonly TempFolder _dir = new("cpe-image-update-");

    [Fact]
    public async Task Version_1_installs_version_2_boots_it_marks_it_good_and_then_refuses_version_1()
    {
        using var server = new RangeFileServer(Path.GetDirectoryName(Binaries.FirmwareBundle("2.0.0"))!);
        string url = $"http://10.0.2.2:{server.Port}";
        await using var box = await ImageMachine.StartAsync(ImageMachine.CopyImage(Binaries.FirmwareImage("1.0.0"), _dir.Path), _dir.Path, wan: "user,id=wan");
        try
        {
            await box.LoginAsync("root", "x", TimeSpan.FromSeconds(180));
            await box.TypeAsync($"request system software add {url}/cpe-firmware-2.0.0.cpeu reboot");
            await box.WaitForAsync("installing cpe-firmware 2.0.0 into slot b", TimeSpan.FromSeconds(120));
            var installed = box.Clock.Elapsed;
            await box.WaitForAsync("rebooting into the new firmware", TimeSpan.FromSeconds(300));
            output.WriteLine($"installed after {box.Clock.Elapsed.TotalSeconds:0} s ({(box.Clock.Elapsed - installed).TotalSeconds:0} s of writing)");
            await box.WaitForAsync(@"cpe: CPE firmware 2\.0\.0 on slot b", TimeSpan.FromSeconds(180));
            output.WriteLine($"slot b booted after {box.Clock.Elapsed.TotalSeconds:0} s");
            await box.LoginAsync("root", "x", TimeSpan.FromSeconds(180));
            string software = await box.RunUntilAsync("show system software", "(good)", TimeSpan.FromSeconds(180));
            output.WriteLine(software);
            Assert.Contains("Running:  2.0.0 from slot b (good)", software);
            Assert.Matches(@"b\*\s+good\s+2\.0\.0", software);
            Assert.Matches(@"a\s+good\s+1\.0\.0", software);
            Assert.Contains("Anti-rollback floor: 2.0.0", software);
            Assert.Contains("2.0.0", await box.RunAsync("show version"));

            string refused = await box.RunAsync($"request system software add {url}/cpe-firmware-1.0.0.cpeu");
            Assert.Contains("version 1.0.0 is below this box's anti-rollback floor 2.0.0", refused);
            // The download: the head, then only the chunks slot A did not have (the rest copied locally): Range requests.
            output.WriteLine(string.Join("\n", server.AccessLog));
            Assert.Contains(server.AccessLog, l => l.StartsWith("GET /cpe-firmware-2.0.0.cpeu range=bytes=", StringComparison.Ordinal));
            long downloaded = server.AccessLog.Where(l => l.Contains("2.0.0")).Sum(l => long.Parse(l[(l.LastIndexOf('=') + 1)..]));
            Assert.True(downloaded < new FileInfo(Binaries.FirmwareBundle("2.0.0")).Length / 4, $"{downloaded} bytes downloaded for a bundle of {new FileInfo(Binaries.FirmwareBundle("2.0.0")).Length}");
        }
        finally { output.WriteLine(box.Console); }
    }

    public void Dispose() => _dir.Dispose();
}
