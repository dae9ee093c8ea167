namespace Cpe.PacketIo.Protocols;

/// <summary>What every router hop does to a forwarded IPv4 frame.</summary>
public static class Hop
{
    /// <summary>TTL minus one (the header checksum updated incrementally) and the MACs of the next link.</summary>
    public static void Forward(Span<byte> frame, ulong from, ulong to)
    {
        int ttlAt = Frame.EthernetHeader + 8, sumAt = Frame.EthernetHeader + 10;
        ushort before = Frame.ReadUInt16(frame, ttlAt);
        frame[ttlAt]--;
        Frame.WriteUInt16(frame, sumAt, Checksum.Update(Frame.ReadUInt16(frame, sumAt), before, Frame.ReadUInt16(frame, ttlAt)));
        Mac.Write(frame, to);
        Mac.Write(frame[6..], from);
    }
}
