using System.Globalization;

namespace Cpe.Image.Slots;

/// <summary>
/// Block devices by GPT partition name (PARTNAME in the kernel's uevent, as the first stage finds the slot): no udev
/// needed. The slot the box booted is on the kernel command line (cpe.slot=, from its boot entry).
/// </summary>
public static class Partitions
{
    public static (string Device, long Size)? ByName(string name, string sysBlock = "/sys/class/block")
    {
        if (!Directory.Exists(sysBlock)) return null;
        foreach (var dir in Directory.GetDirectories(sysBlock).Order(StringComparer.Ordinal))
        {
            string uevent = Path.Combine(dir, "uevent");
            if (!File.Exists(uevent)) continue;
            var lines = File.ReadAllLines(uevent);
            if (!lines.Contains($"PARTNAME={name}")) continue;
            string device = lines.First(l => l.StartsWith("DEVNAME=", StringComparison.Ordinal))[8..];
            long sectors = long.Parse(File.ReadAllText(Path.Combine(dir, "size")).Trim(), CultureInfo.InvariantCulture);
            return ("/dev/" + device, sectors * 512);
        }
        return null;
    }

    public static string? BootedSlot(string cmdline = "/proc/cmdline") =>
        File.Exists(cmdline) ? File.ReadAllText(cmdline).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(w => w.StartsWith("cpe.slot=", StringComparison.Ordinal)).Select(w => w[9..]).FirstOrDefault(w => w is "a" or "b") : null;

    public static string Other(string slot) => slot == "a" ? "b" : "a";
}
