using System.Text.Json.Serialization;

namespace Cpe.Board.Profile;

/// <summary>
/// A front port: its name on the box's label, the Linux netdev behind it, what it is for ("wan", "lan" or
/// "management"). A board profile may name the port's PCI address instead of its netdev; the netdev is then found
/// when the profile is loaded. The speed is the port's nominal one, for inventory.
/// </summary>
public sealed record FrontPort(string Name, string Netdev = "", string Role = "lan")
{
    public string? Pci { get; init; }
    public int? SpeedMbps { get; init; }
}

/// <summary>
/// An SR-IOV physical function the board has, by netdev (or, in a board profile, by the front port it is), and how
/// many VFs the platform may make on it (null: what the NIC offers).
/// </summary>
public sealed record PhysicalFunction(string Netdev = "")
{
    public string? Port { get; init; }
    public int? MaxVfs { get; init; }
}

/// <summary>
/// How the box does SR-IOV: "kernel" (a real NIC: sysfs under /sys and IFLA_VFINFO_LIST) or "emulated"
/// (the simulated board: sysfs files under <see cref="SysfsRoot"/>, VFs as macvlans).
/// </summary>
public sealed record SriovProfile(string Driver = "kernel", string SysfsRoot = "/sys", IReadOnlyList<PhysicalFunction>? Pfs = null);

/// <summary>
/// The network part of a board profile (docs/reference/board-profile.md): which front ports and PFs exist.
/// The configuration names ports by <see cref="FrontPort.Name"/>; the kernel knows them by netdev.
/// </summary>
public sealed record NetworkProfile(string Model, IReadOnlyList<FrontPort> Ports, SriovProfile? Sriov = null)
{
    public FrontPort? Port(string name) => Ports.FirstOrDefault(p => p.Name == name);

    public FrontPort? PortByNetdev(string netdev) => Ports.FirstOrDefault(p => p.Netdev == netdev);

    /// <summary>The port the box phones home through: role "wan".</summary>
    [JsonIgnore]
    public FrontPort? Wan => Ports.FirstOrDefault(p => p.Role == "wan");

    [JsonIgnore]
    public IReadOnlyList<string> PhysicalFunctions => Sriov?.Pfs?.Select(p => p.Netdev).ToList() ?? [];

    /// <summary>The box's base MAC from its factory storage; null (a developer's box): ports and VFs keep the NIC's addresses.</summary>
    public System.Net.NetworkInformation.PhysicalAddress? BaseMac { get; init; }

    /// <summary>The address the MAC rule gives the front port at <paramref name="port"/> in <see cref="Ports"/>; null without a base MAC.</summary>
    public string? PortMac(int port) => BaseMac is { } b ? MacAddresses.Format(MacAddresses.Port(b, port)) : null;

    /// <summary>The address the MAC rule gives VF <paramref name="vf"/> of the PF at <paramref name="pf"/> in <see cref="PhysicalFunctions"/>; null without a base MAC.</summary>
    public string? VfMac(int pf, int vf) => BaseMac is { } b ? MacAddresses.Format(MacAddresses.Vf(b, pf, vf)) : null;
}
