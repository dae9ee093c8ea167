using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Cpe.Board.Profile;
using Cpe.Config.Schema;
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
    /// <summary>The VLAN of untagged frames on a port in no bridge: the bridge member's default, which is the kernel's.</summary>
    static readonly ushort DefaultPvid = (ushort)(long)NetworkSchema.Bridge.Pvid.Default!;

    public static string BridgeNetdev(string name) => BridgePrefix + name;

    /// <summary>
    /// Reads the sections of a validated tree through the schema's nodes (their names and defaults are written there
    /// only); every rule the schema cannot state (a port the board lacks, a port in two bridges…) is an error naming its path.
    /// </summary>
    public static DesiredNetwork From(JsonObject config, NetworkProfile profile, Func<string, int>? totalVfs = null)
    {
        var errors = new List<NetworkConfigError>();
        var bridges = new List<DesiredBridge>();
        var memberOf = new Dictionary<string, (string Bridge, ushort Pvid, List<ushort> Vlans)>();
        foreach (var b in NetworkSchema.Bridge.List.Entries(NetworkSchema.Bridges.In(config)))
        {
            string name = ListNode.Key(b);
            string path = $"bridges bridge {name}";
            bool filtering = NetworkSchema.Bridge.VlanFiltering.Flag(b)!.Value;
            bridges.Add(new DesiredBridge(name, BridgeNetdev(name), OwnerMarker + (NetworkSchema.Bridge.Description.Text(b) ?? ""), filtering,
                Prefixes(NetworkSchema.Bridge.Address.Texts(b))));
            foreach (var member in NetworkSchema.Bridge.Member.Entries(b))
            {
                string port = ListNode.Key(member);
                string here = $"{path} interface {port}";
                if (profile.Port(port) is null) errors.Add(new(here, NoSuchPort(port, profile)));
                else if (memberOf.TryGetValue(port, out var other)) errors.Add(new(here, $"the port is already a member of bridge {other.Bridge}"));
                var vlans = NetworkSchema.Bridge.Vlan.Integers(member).Select(v => (ushort)v).ToList();
                if (!filtering && (member.ContainsKey(NetworkSchema.Bridge.Pvid.Name) || vlans.Count > 0))
                    errors.Add(new(here, "pvid and vlan need 'vlan-filtering true' on the bridge"));
                memberOf.TryAdd(port, (name, (ushort)NetworkSchema.Bridge.Pvid.Integer(member)!.Value, vlans));
            }
        }

        var configured = NetworkSchema.Port.List.Entries(NetworkSchema.Interfaces.In(config)).ToDictionary(ListNode.Key);
        foreach (var name in configured.Keys.Where(n => profile.Port(n) is null))
            errors.Add(new($"interfaces interface {name}", NoSuchPort(name, profile)));
        var ports = new List<DesiredPort>();
        foreach (var (index, port) in profile.Ports.Index())
        {
            var c = configured.GetValueOrDefault(port.Name);
            var addresses = Prefixes(NetworkSchema.Port.Address.Texts(c));
            bool dhcp = NetworkSchema.Port.Dhcp.Flag(c)!.Value;
            var member = memberOf.TryGetValue(port.Name, out var m) ? m : default;
            if (member.Bridge is not null && (addresses.Count > 0 || dhcp))
                errors.Add(new($"interfaces interface {port.Name}", $"the port is a member of bridge {member.Bridge}; put addresses on the bridge instead"));
            ports.Add(new DesiredPort(port, OwnerMarker + (NetworkSchema.Port.Description.Text(c) ?? ""), NetworkSchema.Port.AdminState.Text(c) != "down",
                (uint)NetworkSchema.Port.Mtu.Integer(c)!.Value, addresses, dhcp, member.Bridge is null ? null : BridgeNetdev(member.Bridge),
                member.Bridge is null ? DefaultPvid : member.Pvid, member.Vlans ?? [], c is not null || member.Bridge is not null)
            { Mac = profile.PortMac(index) });
        }

        var pfConfig = NetworkSchema.Pf.List.Entries(NetworkSchema.Sriov.In(config)).ToDictionary(ListNode.Key);
        foreach (var name in pfConfig.Keys.Where(n => !profile.PhysicalFunctions.Contains(n)))
            errors.Add(new($"sriov pf {name}", $"this box has no SR-IOV physical function {name}"
                + (profile.PhysicalFunctions.Count == 0 ? "" : $" (it has: {string.Join(", ", profile.PhysicalFunctions)})")));
        var pfs = new List<DesiredPf>();
        foreach (var (pfIndex, pf) in profile.PhysicalFunctions.Index())
        {
            var c = pfConfig.GetValueOrDefault(pf);
            int count = (int)NetworkSchema.Pf.VfCount.Integer(c)!.Value;
            string path = $"sriov pf {pf}";
            if (totalVfs is not null && c is not null && count > 0)
            {
                int total = totalVfs(pf);
                if (count > total) errors.Add(new($"{path} vf-count", $"{pf} supports at most {total} virtual functions"));
            }
            var vfConfig = NetworkSchema.Vf.List.Entries(c).ToDictionary(e => int.Parse(ListNode.Key(e), CultureInfo.InvariantCulture));
            foreach (var vf in vfConfig.Keys.Where(v => v >= count))
                errors.Add(new($"{path} vf {vf}", count == 0 ? "the PF has no virtual functions; set vf-count first"
                    : $"the PF has {count} virtual functions (0 to {count - 1}); raise vf-count first"));
            var vfs = Enumerable.Range(0, count).Select(vf => Vf(vf, vfConfig.GetValueOrDefault(vf), profile.VfMac(pfIndex, vf), $"{path} vf {vf}", errors)).ToList();
            pfs.Add(new DesiredPf(pf, count, vfs));
        }
        if (errors.Count > 0) throw new NetworkConfigException(errors);
        return new DesiredNetwork(ports, bridges, pfs);
    }

    /// <summary>One VF's settings from its entry (null: not configured), the MAC rule's address when the entry names none.</summary>
    static DesiredVf Vf(int vf, JsonObject? v, string? ruleMac, string path, List<NetworkConfigError> errors)
    {
        uint min = (uint)NetworkSchema.Vf.MinTxRate.Integer(v)!.Value, max = (uint)NetworkSchema.Vf.MaxTxRate.Integer(v)!.Value;
        if (max != 0 && min > max) errors.Add(new($"{path} min-tx-rate", $"{min} Mbit/s is above max-tx-rate {max}"));
        return new DesiredVf(vf, NetworkSchema.Vf.Mac.Text(v) ?? ruleMac, (ushort)NetworkSchema.Vf.Vlan.Integer(v)!.Value, (byte)NetworkSchema.Vf.Qos.Integer(v)!.Value,
            NetworkSchema.Vf.SpoofCheck.Flag(v)!.Value, NetworkSchema.Vf.Trust.Flag(v)!.Value, min, max, NetworkSchema.Vf.LinkState.Text(v) switch
            {
                "enable" => VfLinkState.Enable,
                "disable" => VfLinkState.Disable,
                _ => VfLinkState.Auto,
            });
    }

    static string NoSuchPort(string name, NetworkProfile profile) =>
        $"this box ({profile.Model}) has no port {name}; its ports are {string.Join(", ", profile.Ports.Select(p => p.Name))}";

    static List<IpPrefix> Prefixes(IEnumerable<string> texts) => texts.Select(IpPrefix.Parse).ToList();
}

public sealed record NetworkConfigError(string Path, string Message);

/// <summary>The network sections break a rule that needs the board profile to check.</summary>
public sealed class NetworkConfigException(IReadOnlyList<NetworkConfigError> errors)
    : NetworkException(string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}")))
{
    public IReadOnlyList<NetworkConfigError> Errors { get; } = errors;
}
