using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.Image;

/// <summary>
/// Zero touch on the QEMU box: v1 powers on with its factory storage, its WAN on a namespace where dnsmasq offers DHCP
/// option 143 naming the vendor server;
/// it is onboarded with a boot image naming v2; the agent has cped install the bundle (the server's Range log shows the
/// download), the box reboots into v2, onboards again, reports bootstrap-complete, and the health check marks v2 good.
/// Nobody types until the end, when the console shows the result.
/// </summary>
[Trait("Kind", "Image")]
public sealed class ImageZeroTouchTests(ITestOutputHelper output) : IDisposable
{
    readonly TempFolder _dir = new("cpe-image-ztp-");

    [Fact]
    public async Task Version_1_is_onboarded_with_a_boot_image_of_version_2_installs_it_reboots_and_reports_bootstrap_complete()
    {
        await using var lab = await ImageFleetLab.StartAsync();
        string image = lab.UploadFirmware(Binaries.FirmwareBundle("2.0.0"), "2.0.0");
        lab.Enroll("lab-box", image);
        // 12 MB of the ESP lost as a power cut in a FAT write leaves it: without the check at boot, slot b's kernel and
        // first stage (13 MB) would not fit ('No space left on device'), and the boot image would never install.
        string disk = ImageMachine.CopyImage(Binaries.FirmwareImage("1.0.0"), _dir.Path);
        long free = EspLeak.Leak(disk, 12_000_000, _dir.Path);
        output.WriteLine($"ESP: {free} bytes free after the leak");
        Assert.True(free < 13_000_000, $"the leak left {free} bytes free: enough for slot b's files without the check");
        await using var box = await ImageMachine.StartAsync(disk, _dir.Path,
            wan: lab.WanNetdev, factory: lab.FactoryDisk, netns: lab.Namespace);
        try
        {
            await box.WaitForAsync(@"cpe: the EFI system partition was repaired: .*Reclaimed \d+ unused clusters", TimeSpan.FromSeconds(120));
            await box.WaitForAsync(@"cpe: CPE firmware 2\.0\.0 on slot b", TimeSpan.FromSeconds(Environment.GetEnvironmentVariable("CPE_ZTP_FIRST_WAIT") is string w ? int.Parse(w) : 420));
            output.WriteLine($"slot b (2.0.0) booted after {box.Clock.Elapsed.TotalSeconds:0} s");
            string progress = await lab.WaitForProgressAsync("bootstrap-complete", TimeSpan.FromSeconds(240));
            output.WriteLine($"bootstrap-complete after {box.Clock.Elapsed.TotalSeconds:0} s\n{progress}");
            var types = progress.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[1].TrimEnd(':')).ToArray();
            Assert.Equal(["bootstrap-initiated", "parsing-complete", "boot-image-initiated", "boot-image-mismatch", "boot-image-installed-rebooting",
                "bootstrap-initiated", "parsing-complete", "boot-image-initiated", "boot-image-complete", "config-initiated", "config-complete", "bootstrap-complete"], types);

            // cped fetched the bundle itself, with Range requests: the head, then only chunks slot A did not have.
            var downloads = lab.Downloads(image);
            output.WriteLine(downloads.ToJsonString());
            Assert.All(downloads, d => Assert.StartsWith("bytes=", d!["range"]!.GetValue<string>()));

            await box.LoginAsync("root", "x", TimeSpan.FromSeconds(120));
            string software = await box.RunUntilAsync("show system software", "(good)", TimeSpan.FromSeconds(180));
            output.WriteLine(software);
            Assert.Contains("Running:  2.0.0 from slot b (good)", software);
            Assert.Contains("Anti-rollback floor: 2.0.0", software);
            Assert.Contains("lab-box", await box.RunAsync("show configuration system"));
            // The box keeps the platform's log on the data partition: this boot's cped said it was ready.
            Assert.Matches(@"info +cped\[1000\] cped 2\.0\.0 ready on", await box.RunAsync("show log messages | match ready"));
        }
        catch (TimeoutException)
        {
            // What the box knows about its zero touch, for the failure's reader.
            try
            {
                await box.LoginAsync("root", "x", TimeSpan.FromSeconds(60));
                output.WriteLine(await box.RunAsync("show system zero-touch"));
                output.WriteLine(await box.RunAsync("show log 80"));
            }
            catch (TimeoutException) { }
            await box.PowerCutAsync();
            output.WriteLine("phonehome.log:\n" + box.DataFile("/log/phonehome.log"));
            throw;
        }
        finally
        {
            output.WriteLine(box.Console);
            output.WriteLine(lab.Server?.Output);
        }
    }

    public void Dispose() => _dir.Dispose();
}
