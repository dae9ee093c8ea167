using System.Globalization;
using Cpe.Image.Verity;

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
        Booted("cpe.slot", cmdline) is ("a" or "b") and var slot ? slot : null;

    /// <summary>The running slot's verity root, as its boot entry handed it to the first stage.</summary>
    public static VerityRoot? BootedVerity(string cmdline = "/proc/cmdline") =>
        Booted("cpe.verity", cmdline) is string v ? VerityRoot.TryParseCommandLine(v) : null;

    static string? Booted(string name, string cmdline) => File.Exists(cmdline) ? CommandLine.Value(File.ReadAllText(cmdline), name) : null;

    public static string Other(string slot) => slot == "a" ? "b" : "a";
}
