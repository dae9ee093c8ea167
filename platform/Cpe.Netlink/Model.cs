using System.Net;

namespace Cpe.Netlink;

/// <summary>A network interface as the kernel reports it.</summary>
public sealed record LinkInfo(int Index, string Name, string? Kind, bool AdminUp, bool Carrier, uint Mtu, string? Mac,
    int? Master, string? Alias, string? OperState, LinkStatistics? Statistics)
{
    /// <summary>The PF's virtual functions as the driver reports them (asked for with RTEXT_FILTER_VF); empty elsewhere.</summary>
    public IReadOnlyList<VfInfo> Vfs { get; init; } = [];

    /// <summary>A bridge's IFLA_BR_VLAN_FILTERING; null for other kinds.</summary>
    public bool? VlanFiltering { get; init; }
}

/// <summary>IFLA_VF_LINK_STATE: follow the PF's link, or force the VF's link up or down.</summary>
public enum VfLinkState : uint { Auto = 0, Enable = 1, Disable = 2 }

/// <summary>One virtual function's settings, as read back from the PF.</summary>
public sealed record VfInfo(int Vf, string Mac, ushort Vlan, byte Qos, bool? SpoofCheck, bool? Trust, uint MinTxRate, uint MaxTxRate, VfLinkState? LinkState);

/// <summary>The first counters of struct rtnl_link_stats64.</summary>
public sealed record LinkStatistics(ulong RxPackets, ulong TxPackets, ulong RxBytes, ulong TxBytes,
    ulong RxErrors, ulong TxErrors, ulong RxDropped, ulong TxDropped);

public sealed record AddressInfo(int Index, IPAddress Address, int PrefixLength, string? Label);

public sealed record RouteInfo(IPAddress Destination, int PrefixLength, IPAddress? Gateway, int? OutputIndex, uint Table, byte Protocol, byte Scope);

/// <summary>linux/if_link.h MACVLAN_MODE_*.</summary>
public enum MacvlanMode : uint { Private = 1, Vepa = 2, Bridge = 4, Passthru = 8, Source = 16 }

/// <summary>A forwarding-database entry of a bridge port.</summary>
public sealed record FdbEntry(int PortIndex, string Mac, int? Master, ushort? Vlan, bool Static);

/// <summary>An ARP (IPv4) or neighbour discovery (IPv6) cache entry: NUD_* <paramref name="State"/>, no MAC while incomplete or failed.</summary>
public sealed record NeighbourInfo(int Index, IPAddress Address, string? Mac, ushort State, bool Router)
{
    /// <summary>NUD_NOARP: an entry the kernel made without asking (multicast, loopback, point-to-point), not a neighbour seen.</summary>
    public bool NoArp => (State & 0x40) != 0;

    /// <summary>The state as "ip neigh" names it (reachable, stale, ..., permanent), several joined by '/' when the kernel sets several.</summary>
    public string StateName
    {
        get
        {
            string[] names = ["incomplete", "reachable", "stale", "delay", "probe", "failed", "noarp", "permanent"];
            var set = names.Where((_, bit) => (State & (1 << bit)) != 0).ToList();
            return set.Count == 0 ? "none" : string.Join('/', set);
        }
    }
}

/// <summary>A VLAN on a bridge port: PVID (untagged ingress lands here) and untagged egress.</summary>
public sealed record PortVlan(ushort Vid, bool Pvid, bool Untagged);

/// <summary>rtnetlink's RTPROT_*: who installed a route.</summary>
public enum RouteProtocol : byte { Kernel = 2, Boot = 3, Static = 4, Dhcp = 16 }
