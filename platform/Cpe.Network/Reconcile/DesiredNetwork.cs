using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Cpe.Board.Profile;
using Cpe.Netlink;
using Cpe.Network;

namespace Cpe.Network.Reconcile;

/// <summary>An address with its prefix length, as configured ("192.0.2.1/24").</summary>
public sealed record IpPrefix(IPAddress Address, int Length)
{
    public static IpPrefix Parse(string text)
    {
        int slash = text.IndexOf('/');
        return new IpPrefix(IPAddress.Parse(text[..slash]), int.Parse(text[(slash + 1)..], CultureInfo.InvariantCulture));
    }

    public override string ToString() => $"{Address}/{Length}";
}

public sealed record DesiredPort(FrontPort Port, string Alias, bool AdminUp, uint Mtu, IReadOnlyList<IpPrefix> Addresses, bool Dhcp,
    string? Bridge, ushort Pvid, IReadOnlyList<ushort> TaggedVlans, bool Configured)
{
    /// <summary>The address the box's MAC rule gives the port; null: the NIC's own.</summary>
    public string? Mac { get; init; }
}

public sealed record DesiredBridge(string Name, string Netdev, string Alias, bool VlanFiltering, IReadOnlyList<IpPrefix> Addresses);

/// <summary>A VF's complete wanted settings; the MAC is the configuration's, else the box's MAC rule's; null means "whatever the NIC gave it".</summary>
public sealed record DesiredVf(int Vf, string? Mac, ushort Vlan, byte Qos, bool SpoofCheck, bool Trust, uint MinTxRate, uint MaxTxRate, VfLinkState LinkState);

public sealed record DesiredPf(string Pf, int VfCount, IReadOnlyList<DesiredVf> Vfs);

/// <summary>
/// The committed configuration's network sections, resolved against the board profile and completed
/// with defaults: every front port and every PF of the board has a wanted state, configured or not.
/// </summary>
public sealed record DesiredNetwork(IReadOnlyList<DesiredPort> Ports, IReadOnlyList<DesiredBridge> Bridges, IReadOnlyList<DesiredPf> Pfs)
{
    /// <summary>The ownership marker: an alias starting with this belongs to cped (docs/reference/network.md).</summary>
    public const string OwnerMarker = "cpe:";
    public const string BridgePrefix = "br-";
    public const uint DefaultMtu = 1500;
    public const ushort DefaultPvid = 1;

    public static string BridgeNetdev(string name) => BridgePrefix + name;

    /// <summary>Reads the sections; every rule the schema cannot state (a port the board lacks, a port in two bridges…) is an error naming its path.</summary>
    public static DesiredNetwork From(JsonObject config, NetworkProfile profile, Func<string, int>? totalVfs = null)
    {
        var errors = new List<NetworkConfigError>();
        var bridges = new List<DesiredBridge>();
        var memberOf = new Dictionary<string, (string Bridge, ushort Pvid, List<ushort> Vlans)>();
        foreach (var b in Entries(config["bridges"]?["bridge"]))
        {
            string name = Key(b);
            string path = $"bridges bridge {name}";
            bool filtering = Bool(b["vlan-filtering"]) ?? false;
            bridges.Add(new DesiredBridge(name, BridgeNetdev(name), OwnerMarker + (Str(b["description"]) ?? ""), filtering, Prefixes(b["address"])));
            foreach (var member in Entries(b["interface"]))
            {
                string port = Key(member);
                string here = $"{path} interface {port}";
                if (profile.Port(port) is null) errors.Add(new(here, NoSuchPort(port, profile)));
                else if (memberOf.TryGetValue(port, out var other)) errors.Add(new(here, $"the port is already a member of bridge {other.Bridge}"));
                var vlans = Numbers(member["vlan"]).Select(v => (ushort)v).ToList();
                long? pvid = Num(member["pvid"]);
                if (!filtering && (pvid is not null || vlans.Count > 0))
                    errors.Add(new(here, "pvid and vlan need 'vlan-filtering true' on the bridge"));
                memberOf.TryAdd(port, (name, (ushort)(pvid ?? DefaultPvid), vlans));
            }
        }

        var configured = Entries(config["interfaces"]?["interface"]).ToDictionary(Key);
        foreach (var name in configured.Keys.Where(n => profile.Port(n) is null))
            errors.Add(new($"interfaces interface {name}", NoSuchPort(name, profile)));
        var ports = new List<DesiredPort>();
        foreach (var (index, port) in profile.Ports.Index())
        {
            var c = configured.GetValueOrDefault(port.Name);
            var addresses = Prefixes(c?["address"]);
            bool dhcp = Bool(c?["dhcp"]) ?? false;
            var member = memberOf.TryGetValue(port.Name, out var m) ? m : default;
            if (member.Bridge is not null && (addresses.Count > 0 || dhcp))
                errors.Add(new($"interfaces interface {port.Name}", $"the port is a member of bridge {member.Bridge}; put addresses on the bridge instead"));
            ports.Add(new DesiredPort(port, OwnerMarker + (Str(c?["description"]) ?? ""), Str(c?["admin-state"]) != "down",
                (uint)(Num(c?["mtu"]) ?? DefaultMtu), addresses, dhcp, member.Bridge is null ? null : BridgeNetdev(member.Bridge),
                member.Bridge is null ? DefaultPvid : member.Pvid, member.Vlans ?? [], c is not null || member.Bridge is not null)
            { Mac = profile.PortMac(index) });
        }

        var pfConfig = Entries(config["sriov"]?["pf"]).ToDictionary(Key);
        foreach (var name in pfConfig.Keys.Where(n => !profile.PhysicalFunctions.Contains(n)))
            errors.Add(new($"sriov pf {name}", $"this box has no SR-IOV physical function {name}"
                + (profile.PhysicalFunctions.Count == 0 ? "" : $" (it has: {string.Join(", ", profile.PhysicalFunctions)})")));
        var pfs = new List<DesiredPf>();
        foreach (var (pfIndex, pf) in profile.PhysicalFunctions.Index())
        {
            var c = pfConfig.GetValueOrDefault(pf);
            int count = (int)(Num(c?["vf-count"]) ?? 0);
            string path = $"sriov pf {pf}";
            if (totalVfs is not null && c is not null && count > 0)
            {
                int total = totalVfs(pf);
                if (count > total) errors.Add(new($"{path} vf-count", $"{pf} supports at most {total} virtual functions"));
            }
            var vfConfig = Entries(c?["vf"]).ToDictionary(e => int.Parse(Key(e), CultureInfo.InvariantCulture));
            foreach (var vf in vfConfig.Keys.Where(v => v >= count))
                errors.Add(new($"{path} vf {vf}", count == 0 ? "the PF has no virtual functions; set vf-count first"
                    : $"the PF has {count} virtual functions (0 to {count - 1}); raise vf-count first"));
            var vfs = Enumerable.Range(0, count).Select(vf =>
            {
                var v = vfConfig.GetValueOrDefault(vf);
                uint min = (uint)(Num(v?["min-tx-rate"]) ?? 0), max = (uint)(Num(v?["max-tx-rate"]) ?? 0);
                if (max != 0 && min > max) errors.Add(new($"{path} vf {vf} min-tx-rate", $"{min} Mbit/s is above max-tx-rate {max}"));
                return new DesiredVf(vf, Str(v?["mac"]) ?? profile.VfMac(pfIndex, vf), (ushort)(Num(v?["vlan"]) ?? 0), (byte)(Num(v?["qos"]) ?? 0),
                    Bool(v?["spoofcheck"]) ?? true, Bool(v?["trust"]) ?? false, min, max, Str(v?["link-state"]) switch
                    {
                        "enable" => VfLinkState.Enable,
                        "disable" => VfLinkState.Disable,
                        _ => VfLinkState.Auto,
                    });
            }).ToList();
            pfs.Add(new DesiredPf(pf, count, vfs));
        }
        if (errors.Count > 0) throw new NetworkConfigException(errors);
        return new DesiredNetwork(ports, bridges, pfs);
    }

    static string NoSuchPort(string name, NetworkProfile profile) =>
        $"this box ({profile.Model}) has no port {name}; its ports are {string.Join(", ", profile.Ports.Select(p => p.Name))}";

    static IEnumerable<JsonObject> Entries(JsonNode? list) => list is JsonArray a ? a.OfType<JsonObject>() : [];
    static string Key(JsonObject entry) => entry["name"]!.GetValue<string>();
    static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue(out string? s) ? s : null;
    static bool? Bool(JsonNode? n) => n is JsonValue v && v.TryGetValue(out bool b) ? b : null;
    static long? Num(JsonNode? n) => n is not JsonValue v ? null : v.TryGetValue(out long l) ? l : v.TryGetValue(out int i) ? i : null;
    static IEnumerable<long> Numbers(JsonNode? n) => n is JsonArray a ? a.Select(Num).OfType<long>() : [];
    static List<IpPrefix> Prefixes(JsonNode? n) =>
        n is JsonArray a ? a.Select(Str).OfType<string>().Select(IpPrefix.Parse).ToList() : [];
}

public sealed record NetworkConfigError(string Path, string Message);

/// <summary>The network sections break a rule that needs the board profile to check.</summary>
public sealed class NetworkConfigException(IReadOnlyList<NetworkConfigError> errors)
    : NetworkException(string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}")))
{
    public IReadOnlyList<NetworkConfigError> Errors { get; } = errors;
}
