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
