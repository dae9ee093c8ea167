namespace Cpe.Api;

// The network.* methods' parameters and results (docs/reference/local-api.md).

public sealed record InterfacesParams(string? Name = null);

/// <summary>Counters since the last "clear interfaces statistics" (the kernel's own never go back).</summary>
public sealed record CounterInfo(ulong RxPackets, ulong TxPackets, ulong RxBytes, ulong TxBytes, ulong RxErrors, ulong TxErrors, ulong RxDropped, ulong TxDropped);

/// <summary>A front port (Name is its label name), a bridge, or a VF, as the kernel reports it.</summary>
public sealed record InterfaceInfo(string Name, string Netdev, string Kind, string? Description, bool AdminUp, bool LinkUp, string OperState,
    string? Mac, uint Mtu, string? Bridge, string[] Addresses, CounterInfo? Counters, DateTimeOffset? CountersClearedAt);

public sealed record BridgePortInfo(string Name, string Netdev, bool LinkUp, ushort? Pvid, ushort[] Tagged);

public sealed record BridgeInfo(string Name, string Netdev, string? Description, bool AdminUp, bool VlanFiltering, string[] Addresses, BridgePortInfo[] Ports);

public sealed record MacTableEntry(string Bridge, string Port, string Mac, ushort? Vlan, bool Static);

public sealed record VfStatus(int Vf, string? Netdev, string Mac, ushort Vlan, byte Qos, bool? SpoofCheck, bool? Trust,
    uint MinTxRate, uint MaxTxRate, string LinkState, string? Owner);

public sealed record SriovPfInfo(string Pf, string Driver, int TotalVfs, int NumVfs, VfStatus[] Vfs);

public sealed record RouteEntry(string Destination, string? Gateway, string? Interface, string Protocol, uint Table);

/// <summary>One port's DHCP client: its state, lease and the options the server sent (the phone-home agent reads these).</summary>
public sealed record DhcpClientInfo(string Port, string Netdev, string State, string? Address, string? Server,
    DateTimeOffset? ObtainedAt, DateTimeOffset? RenewAt, DateTimeOffset? RebindAt, DateTimeOffset? ExpiresAt,
    string[] Routers, string[] DnsServers, string[] NtpServers, string? DomainName, string? VendorSpecific,
    string[] SztpBootstrapServers, string? LastError);

/// <summary>
/// One ICMP echo request (ping and traceroute are series of these): to <paramref name="Destination"/> (an address, or a
/// name the platform resolves), from the platform's namespace or a VNF instance's (<paramref name="Vnf"/>), optionally
/// from a source address or out of an interface (a front port's name), with a TTL and a wait in milliseconds.
/// </summary>
public sealed record ProbeParams(string Destination, string? Vnf = null, string? Source = null, string? Interface = null,
    int Size = 56, int? Ttl = null, int WaitMs = 1000, int Sequence = 0, int Identifier = 0, bool DoNotFragment = false);

/// <summary>
/// What one probe got: Outcome is reply, time-exceeded, unreachable or timeout; Target is the address probed (the
/// name resolved), From who answered; Flag is traceroute's mark for an unreachable (!H, !N, !P, !F, !X).
/// </summary>
public sealed record ProbeResult(string Target, string Outcome, string? From, int Bytes, int? Ttl, double? RttMs, string? Detail, string? Flag);

/// <summary>An ARP or IPv6 neighbour cache entry; Interface is the front port's name where it is one.</summary>
public sealed record NeighborEntry(string Address, string? Mac, string Interface, string State, bool Router);

/// <summary>An LLDP neighbour a front port hears: what it says about itself, and the seconds before it expires unless heard again.</summary>
public sealed record LldpNeighborEntry(string Port, string ChassisId, string PortId, string? SystemName, string? PortDescription,
    string? SystemDescription, string? ManagementAddress, int ExpiresIn);
