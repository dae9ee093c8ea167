using System.Globalization;
using System.Text;
using Cpe.Api;

namespace Cpe.Cli.Shell;

// "show chassis hardware|environment" and "request system reboot|power-off|zeroize" (docs/guides/cli.md, "The box").
public sealed partial class CliShell
{
    async Task<string> ShowChassisAsync(List<string> words, CancellationToken ct)
    {
        if (words.Count != 1) throw new CliException("syntax error: 'show chassis' needs one of: environment, hardware");
        return Keyword.Resolve(words[0], ["environment", "hardware"], "after 'show chassis'") == "hardware"
            ? FormatHardware(await api.HardwareAsync(ct))
            : FormatEnvironment(await api.EnvironmentAsync(ct));
    }

    async Task<string> RequestSystemAsync(List<string> words, CancellationToken ct)
    {
        if (words.Count == 0) throw new CliException("syntax error: 'request system' needs one of: power-off, reboot, software, zero-touch, zeroize");
        string what = Keyword.Resolve(words[0], ["power-off", "reboot", "software", "zero-touch", "zeroize"], "after 'request system'");
        if (what == "software") return await RequestSoftwareAsync(words.Skip(1).ToList(), ct);
        if (what == "zero-touch")
        {
            if (words.Count != 2) throw new CliException("syntax error: 'request system zero-touch retry'");
            Keyword.Resolve(words[1], ["retry"], "after 'request system zero-touch'");
            return (await api.RetryZtpAsync(ct)).Message + "\n";
        }
        if (what == "reboot" && words.Count > 1) return await RebootSlotAsync(words.Skip(1).ToList(), ct);
        if (words.Count != 1) throw new CliException($"syntax error: 'request system {what}' takes nothing more");
        string question = what switch
        {
            "zeroize" => "Erase all configuration and state and reboot to factory default (zero-touch runs again)?",
            "power-off" => "Power the box off? Someone must be at the site to power it on again.",
            _ => "Reboot the box?",
        };
        if (!Confirm(question, defaultYes: false)) return "";
        var result = await api.PowerAsync(what, ct);
        return (result.Message ?? what) + "\n";
    }

    static string FormatHardware(Hardware h)
    {
        var sb = new StringBuilder();
        sb.Append($"Model:          {h.Model}\n");
        if (h.Description is not null) sb.Append($"Description:    {h.Description}\n");
        sb.Append($"Serial number:  {h.SerialNumber}\n");
        if (h.BaseMac is not null) sb.Append($"Base MAC:       {h.BaseMac}\n");
        if (h.Dmi is not null) sb.Append($"DMI:            {h.Dmi}\n");
        sb.Append($"CPU:            {h.Cpu.Model}, {h.Cpu.Cores} cores");
        if (h.Cpu.PlatformCores.Count > 0) sb.Append($" (platform {Cores(h.Cpu.PlatformCores)}, VNFs {Cores(h.Cpu.VnfCores)})");
        sb.Append('\n');
        sb.Append($"Memory:         {h.MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB\n");
        foreach (var d in h.Disks) sb.Append($"Disk:           {d.Name} {d.Bytes / 1e9:0.0} GB{(d.Model is null ? "" : $" {d.Model}")}\n");
        sb.Append($"Firmware:       {h.FirmwareVersion}, slot {h.Slot}\n");
        // Two tables of the NICs, so that each fits a serial console's 80 columns: what they are to the box, and
        // where they sit on the PCI bus.
        sb.Append("Port       Netdev          Role    Speed    VFs  MAC\n");
        foreach (var n in h.Nics)
            sb.Append(CultureInfo.InvariantCulture, $"{n.Port,-10} {n.Netdev,-15} {n.Role,-7} {(n.SpeedMbps is int s ? $"{s}M" : "-"),-7} {n.SriovTotalVfs,4}  {n.Mac ?? "-"}\n");
        sb.Append("Port       PCI           Vendor:Device  Driver\n");
        foreach (var n in h.Nics)
            sb.Append(CultureInfo.InvariantCulture, $"{n.Port,-10} {n.Pci ?? "-",-13} {(n.VendorId is null ? "-" : $"{n.VendorId[2..]}:{n.DeviceId?[2..]}"),-14} {n.Driver ?? "-"}\n");
        return sb.ToString();
    }

    static string Cores(IReadOnlyList<int> cores) => cores.Count == 0 ? "none" : string.Join(',', cores);

    static string FormatEnvironment(EnvironmentInfo e)
    {
        var sb = new StringBuilder("Sensor     Kind         Reading      Status      Thresholds\n");
        foreach (var s in e.Sensors)
        {
            string reading = s.Value is double v ? $"{v:0.##} {s.Unit}" : "-";
            var limits = new List<string>();
            if (s.Low is double low) limits.Add($"low {low:0.##}");
            if (s.High is double high) limits.Add($"high {high:0.##}");
            if (s.Critical is double critical) limits.Add($"critical {critical:0.##}");
            sb.Append(CultureInfo.InvariantCulture, $"{s.Name,-10} {s.Kind,-12} {reading,-12} {s.Status,-11} {string.Join(", ", limits)}\n");
            if (s.Problem is not null) sb.Append($"           {s.Problem}\n");
        }
        sb.Append($"Status LED: {e.LedPattern}\nWatchdog:   {e.Watchdog}\n");
        return sb.ToString();
    }
}
