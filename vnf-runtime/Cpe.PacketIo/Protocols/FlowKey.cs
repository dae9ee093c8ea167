namespace Cpe.PacketIo.Protocols;

/// <summary>A flow's 5-tuple in one direction; <see cref="Reversed"/> is the answer's.</summary>
public readonly record struct FlowKey(uint SourceIp, uint DestinationIp, ushort SourcePort, ushort DestinationPort, byte Protocol)
{
    public FlowKey Reversed => new(DestinationIp, SourceIp, DestinationPort, SourcePort, Protocol);

    public override string ToString() => $"{Frame.Ip(SourceIp)}:{SourcePort} > {Frame.Ip(DestinationIp)}:{DestinationPort} proto {Protocol}";
}
