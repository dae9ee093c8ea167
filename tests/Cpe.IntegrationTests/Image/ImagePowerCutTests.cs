using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.Image;

/// <summary>
/// The plug pulled in the middle of an install (QEMU killed, the disk written through): the next boot runs the old
/// slot, which resumes the install at the first chunk the new slot does not hold, and the new slot then boots and is
/// marked good. (One cut point here; the bench's run cuts at random points across every stage.)
/// </summary>
public sealed class ImagePowerCutTests(ITestOutputHelper output) : IDisposable
{
    readonly TempFolder _dir = new("cpe-image-cut-");

    [Fact]
    public async Task A_power_cut_while_writing_the_slot_resumes_after_the_reboot_and_the_update_completes()
    {
        using var server = new RangeFileServer(Path.GetDirectoryName(Binaries.FirmwareBundle("2.0.0"))!);
        string url = $"http://10.0.2.2:{server.Port}/cpe-firmware-2.0.0.cpeu";
        string disk = ImageMachine.CopyImage(Binaries.FirmwareImage("1.0.0"), _dir.Path);
        var box = await ImageMachine.StartAsync(disk, _dir.Path, wan: "user,id=wan");
        try
        {
            await box.LoginAsync("root", "x", TimeSpan.FromSeconds(180));
            await box.TypeAsync($"request system software add {url}");
            await box.WaitForAsync(@"writing: [3-9][0-9]%", TimeSpan.FromSeconds(180));   // 12 chunks or more: at least 8 synced
        }
        finally { output.WriteLine(box.Console); }
        await box.PowerCutAsync();
        output.WriteLine($"power cut while writing, {server.AccessLog.Count} requests so far");

        await using var again = await ImageMachine.StartAsync(disk, _dir.Path, wan: "user,id=wan");
        try
        {
            await again.WaitForAsync(@"cpe: CPE firmware 1\.0\.0 on slot a", TimeSpan.FromSeconds(120));
            await again.LoginAsync("root", "x", TimeSpan.FromSeconds(180));
            string software = await again.RunUntilAsync("show system software", "trying", TimeSpan.FromSeconds(180));
            output.WriteLine(software);
            Assert.Matches(@"b\s+trying\s+2\.0\.0\s+3 \(0 used\)", software);
            string log = await again.RunAsync("show log 30");
            Assert.Contains("firmware 2.0.0 installed in slot b", log);
            Assert.Matches(@"[1-9]\d* chunks already in place", log);   // resumed, not started over

            await again.TypeAsync("request system reboot");
            await again.WaitForAsync(@"\? \[yes,no\]", TimeSpan.FromSeconds(30));
            await again.TypeAsync("yes");
            await again.WaitForAsync(@"cpe: CPE firmware 2\.0\.0 on slot b", TimeSpan.FromSeconds(180));
            await again.LoginAsync("root", "x", TimeSpan.FromSeconds(180));
            software = await again.RunUntilAsync("show system software", "(good)", TimeSpan.FromSeconds(180));
            Assert.Contains("Running:  2.0.0 from slot b (good)", software);
            output.WriteLine(string.Join("\n", server.AccessLog));
        }
        finally { output.WriteLine(again.Console); }
    }

    public void Dispose() => _dir.Dispose();
}
