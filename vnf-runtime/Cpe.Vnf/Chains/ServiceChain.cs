using System.Net;

namespace Cpe.Vnf.Chains;

/// <summary>What a chain does with its traffic while one of its VNFs has no replica running.</summary>
public enum BypassPolicy { FailOpen, FailClosed }

/// <summary>
/// One replica of a hop as the kernel sees it: the host-side ends of the veth pairs into its namespace (where frames go
/// in and come out), and the MAC of its egress-side interface (return traffic on the egress port is addressed to it).
/// </summary>
public sealed record HopReplica(string Instance, string InDevice, int InIndex, string OutDevice, int OutIndex, byte[] OutMac, bool Running);

public sealed record ChainHop(string Vnf, IReadOnlyList<HopReplica> Replicas);

/// <summary>A 5-tuple rule; absent fields match anything.</summary>
public sealed record FlowRule(byte? Protocol, IPNetwork? Source, IPNetwork? Destination, ushort? SourcePort, ushort? DestinationPort)
{
    public bool HasPorts => SourcePort is not null || DestinationPort is not null;
}

/// <summary>
/// Which frames arriving on the ingress port enter the chain: those with a DSCP in <see cref="Dscp"/> (none listed: any)
/// that also match <see cref="Flow"/> (absent: any). Nothing listed at all: every frame.
/// </summary>
public sealed record ChainClassifier(IReadOnlyList<int> Dscp, FlowRule? Flow)
{
    public static readonly ChainClassifier Everything = new([], null);
}

/// <summary>
/// A service chain wired in the kernel: ports by device and index, its hops in order, its bypass policy. Where the first
/// hop meets the ingress port (the last hop the egress port) through SR-IOV VFs of that port, <see cref="IngressByNic"/>
/// (<see cref="EgressByNic"/>) is set, and the replicas' devices on that side are not the host's to steer.
/// </summary>
public sealed record ServiceChain(
    string Name,
    string IngressDevice,
    int IngressIndex,
    string EgressDevice,
    int EgressIndex,
    ChainClassifier Classifier,
    IReadOnlyList<ChainHop> Hops,
    BypassPolicy Bypass,
    bool IngressByNic = false,
    bool EgressByNic = false);
