using System.Globalization;
using Cpe.Api;
using Cpe.Board;
using Cpe.Board.Identity;
using Cpe.Board.Profile;

namespace Cpe.Platform.Board;

/// <summary>
/// What "show chassis hardware" prints and the fleet check-in reports: the profile's model and ports joined with what
/// the kernel says about them (PCI ids, driver, SR-IOV capability from sysfs), the CPU and memory from /proc, the disks
/// from /sys/block, the identity from factory storage. Roots are injectable: the simulated board has its own sysfs.
/// </summary>
public sealed class HardwareInventory(BoardProfile profile, BoardIdentity identity, string firmwareVersion, string procRoot = "/proc", string blockRoot = "/sys/block")
{
    public Hardware Read()
    {
        string sys = profile.SysfsRoot;
        static string? Text(string path) => SysfsText.Read(path);
        string? dmi = Text(Path.Combine(sys, "class/dmi/id/product_name")) is string product
            ? $"{Text(Path.Combine(sys, "class/dmi/id/sys_vendor"))} {product}".Trim() : null;

        var cpuinfo = Text(Path.Combine(procRoot, "cpuinfo")) ?? "";
        string cpuModel = cpuinfo.Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        int cores = cpuinfo.Split('\n').Count(l => l.StartsWith("processor", StringComparison.Ordinal));
        long memory = (Text(Path.Combine(procRoot, "meminfo")) ?? "").Split('\n').FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) is string m
            ? long.Parse(m.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024 : 0;

        var disks = new List<DiskInfo>();
        if (Directory.Exists(blockRoot))
            foreach (var dev in Directory.GetDirectories(blockRoot).Select(Path.GetFileName).Order(StringComparer.Ordinal))
            {
                if (dev is null || dev.StartsWith("loop", StringComparison.Ordinal) || dev.StartsWith("ram", StringComparison.Ordinal)) continue;
                long sectors = long.TryParse(Text(Path.Combine(blockRoot, dev, "size")), CultureInfo.InvariantCulture, out long s) ? s : 0;
                if (sectors > 0) disks.Add(new DiskInfo(dev, sectors * 512, Text(Path.Combine(blockRoot, dev, "device/model"))));
            }

        // What the kernel says about a netdev's device: PCI address, ids, driver, VF capability.
        NicInfo Nic(string port, string netdev, string role, int? speed, string? pci, string? mac)
        {
            string device = Path.Combine(sys, "class/net", netdev, "device");
            static string? LinkName(string path) => Directory.Exists(path) ? Path.GetFileName(new DirectoryInfo(path).ResolveLinkTarget(false)?.FullName) : null;
            int totalVfs = int.TryParse(Text(Path.Combine(device, "sriov_totalvfs")), CultureInfo.InvariantCulture, out int t) ? t : 0;
            return new NicInfo(port, netdev, role, speed, pci ?? LinkName(device), Text(Path.Combine(device, "vendor")), Text(Path.Combine(device, "device")),
                LinkName(Path.Combine(device, "driver")), totalVfs, mac);
        }
        var nics = profile.Ports.Select((port, i) =>
            Nic(port.Name, port.Netdev, port.Role, port.SpeedMbps, port.Pci, identity.BaseMac is { } b ? MacAddresses.Format(MacAddresses.Port(b, i)) : null)).ToList();
        // PFs that are not front ports (an internal NIC for VNFs) are listed too.
        foreach (var pf in profile.Network.PhysicalFunctions.Where(pf => profile.Ports.All(p => p.Netdev != pf)))
            nics.Add(Nic("-", pf, "sriov", null, null, null));

        string slot = (Text(Path.Combine(procRoot, "cmdline")) ?? "").Split(' ').FirstOrDefault(a => a.StartsWith("cpe.slot=", StringComparison.Ordinal))?["cpe.slot=".Length..] ?? "none";
        return new Hardware(profile.Model, profile.Description, identity.SerialNumber, identity.BaseMac is { } mac0 ? MacAddresses.Format(mac0) : null, dmi,
            new CpuInfo(cpuModel, cores, profile.Cpu?.PlatformCores ?? [], profile.Cpu?.VnfCores ?? []), memory, disks, nics, firmwareVersion, slot);
    }
}
