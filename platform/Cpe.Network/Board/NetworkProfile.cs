using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cpe.Network.Board;

/// <summary>A front port: its name on the box's label, the Linux netdev behind it, what it is for.</summary>
public sealed record FrontPort(string Name, string Netdev, string Role = "lan");

/// <summary>An SR-IOV physical function the board has, by netdev.</summary>
public sealed record PhysicalFunction(string Netdev);

/// <summary>
/// How the box does SR-IOV: "kernel" (a real NIC: sysfs under /sys and IFLA_VFINFO_LIST) or "emulated"
/// (the simulated board: sysfs files under <see cref="SysfsRoot"/>, VFs as macvlans).
/// </summary>
public sealed record SriovProfile(string Driver = "kernel", string SysfsRoot = "/sys", IReadOnlyList<PhysicalFunction>? Pfs = null);

/// <summary>
/// The network part of a board profile (docs/reference/network.md): which front ports and PFs exist.
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

    public static NetworkProfile Load(string path)
    {
        NetworkProfile? profile;
        try { profile = JsonSerializer.Deserialize(File.ReadAllText(path), NetworkProfileJson.Default.NetworkProfile); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a board profile: {e.Message}", e); }
        if (profile is null || profile.Ports is null) throw new InvalidDataException($"{path}: not a board profile: no ports");
        profile.Check(path);
        return profile;
    }

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, NetworkProfileJson.Default.NetworkProfile));

    void Check(string path)
    {
        var duplicate = Ports.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1)
            ?? Ports.GroupBy(p => p.Netdev).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidDataException($"{path}: '{duplicate.Key}' is named by more than one port");
        if (Sriov is not null && Sriov.Driver is not ("kernel" or "emulated"))
            throw new InvalidDataException($"{path}: sriov driver '{Sriov.Driver}' is neither 'kernel' nor 'emulated'");
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(NetworkProfile))]
internal sealed partial class NetworkProfileJson : JsonSerializerContext;
