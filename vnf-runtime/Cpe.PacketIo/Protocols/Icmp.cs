namespace Cpe.PacketIo.Protocols;

/// <summary>ICMP a VNF that owns addresses answers itself.</summary>
public static class Icmp
{
    /// <summary>Turns an echo request to us into its reply in place (addresses and MACs swapped); false if it is not one.</summary>
    public static bool EchoReply(Span<byte> frame)
    {
        if (Frame.Protocol(frame) != Frame.Icmp || Frame.L4(frame) is not (>= 0 and var l4) || frame[l4] != 8) return false;
        Span<byte> mac = stackalloc byte[6];
        frame[..6].CopyTo(mac);
        frame[6..12].CopyTo(frame);
        mac.CopyTo(frame[6..]);
        uint src = Frame.SourceIp(frame), dst = Frame.DestinationIp(frame);
        Frame.WriteUInt32(frame, Frame.EthernetHeader + 12, dst);
        Frame.WriteUInt32(frame, Frame.EthernetHeader + 16, src);   // addresses swapped: the IP checksum is unchanged
        frame[l4] = 0;                                               // echo reply
        Frame.WriteUInt16(frame, l4 + 2, Checksum.Update(Frame.ReadUInt16(frame, l4 + 2), 0x0800, 0x0000));
        return true;
    }
}
