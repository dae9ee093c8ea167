using System.Diagnostics;
using System.Globalization;
using Cpe.TestKit;

/// <summary>
/// The firmware image under QEMU (TCG, OVMF, an igb WAN NIC on a network namespace with dnsmasq handing out option 143
/// and the vendor server, an i6300ESB watchdog): the v1 disk powers on, phones home with nobody typing, is told to run
/// v2, installs it, reboots, marks it good and reports bootstrap-complete; then the demo logs in on the serial console.
/// </summary>
static class ImageDemo
{
    public static async Task RunAsync(Action<string> title)
    {
        title("The firmware image under QEMU: v1 powers on, phones home, is told to run v2, installs it and reboots");
        using var work = new TempFolder("cpe-demo-image-");
        await using var lab = await ImageFleetLab.StartAsync();
        string image = lab.UploadFirmware(Binaries.FirmwareBundle("2.0.0"), "2.0.0");
        lab.Enroll("site-42", image);
        Console.WriteLine($"vendor server at {ImageFleetLab.DeviceUrl} on the lab's WAN; dnsmasq there offers option 143 naming it");
        Console.WriteLine($"operator: uploaded {image}, enrolled {ImageFleetLab.Serial} with onboarding information naming cpe-firmware 2.0.0 as its boot image");

        var timeline = new List<(TimeSpan At, string What)>();
        var powerOn = DateTimeOffset.UtcNow;
        await using var box = await ImageMachine.StartAsync(ImageMachine.CopyImage(Binaries.FirmwareImage("1.0.0"), work.Path), work.Path,
            wan: lab.WanNetdev, factory: lab.FactoryDisk, netns: lab.Namespace);
        timeline.Add((TimeSpan.Zero, "power-on (OVMF, systemd-boot, slot a)"));
        await box.WaitForAsync(@"cpe: CPE firmware 1\.0\.0 on slot a", TimeSpan.FromSeconds(180));
        timeline.Add((box.Clock.Elapsed, "v1 userland up (rcS done)"));
        await box.WaitForAsync(@"cpe: CPE firmware 2\.0\.0 on slot b", TimeSpan.FromSeconds(420));
        timeline.Add((box.Clock.Elapsed, "v2 userland up after the reboot (slot b, on trial)"));
        string progress = await lab.WaitForProgressAsync("bootstrap-complete", TimeSpan.FromSeconds(240));

        await box.LoginAsync("root", "x", TimeSpan.FromSeconds(180));
        string software = await box.RunUntilAsync("show system software", "(good)", TimeSpan.FromSeconds(180));
        string log = await box.RunAsync("show log 200 | no-more");

        // The server's and the box's clocks are this host's: their stamps go on the same timeline.
        foreach (var line in progress.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', 3);
            if (DateTimeOffset.TryParse(parts[0], CultureInfo.InvariantCulture, out var at) && parts[1].TrimEnd(':') is var type &&
                type is "bootstrap-initiated" or "boot-image-mismatch" or "boot-image-installed-rebooting" or "bootstrap-complete")
                timeline.Add((at - powerOn, type switch
                {
                    "bootstrap-initiated" => "bootstrap: onboarding information fetched and verified",
                    "boot-image-mismatch" => "download starts (cped streams the bundle into slot b)",
                    "boot-image-installed-rebooting" => "installed and checked; rebooting",
                    _ => "bootstrap-complete reported",
                }));
        }
        foreach (var line in log.Split('\n'))
        {
            var fields = line.Split(' ', 4);
            if (fields.Length == 4 && (fields[3].StartsWith("dhcp-lease: eth0", StringComparison.Ordinal) || fields[3].StartsWith("firmware-good", StringComparison.Ordinal)) &&
                DateTimeOffset.TryParse($"{fields[0]}T{fields[1]}Z", CultureInfo.InvariantCulture, out var at))
                timeline.Add((at - powerOn, fields[3].StartsWith("dhcp", StringComparison.Ordinal) ? "DHCP lease on ge-0/0/0 (option 143 in it)" : "health check passed: slot b marked good"));
        }
        title("Timeline (seconds from power-on)");
        foreach (var (at, what) in timeline.OrderBy(t => t.At))
            Console.WriteLine($"{at.TotalSeconds,7:0.0}  {what}");
        Console.WriteLine($"total: {timeline.Max(t => t.At).TotalSeconds:0} s from power-on to a good v2");

        title("On the serial console");
        Console.WriteLine("root@site-42> show system software\n" + software);
        Console.WriteLine("root@site-42> show version\n" + await box.RunAsync("show version"));
        var downloads = lab.Downloads(image);
        Console.WriteLine($"the server's download log for {image}: {string.Join(", ", downloads.Select(d => d!["range"]!.GetValue<string>()))}");
    }
}
