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

    /// <summary>Largest time-exceeded message: Ethernet, IP and ICMP headers, then the original IP header (up to 60 bytes) and 8 bytes of its data.</summary>
    public const int TimeExceededMaxLength = Frame.EthernetHeader + 20 + 8 + 60 + 8;

    /// <summary>
    /// Writes into <paramref name="reply"/> the ICMP time exceeded (type 11, code 0) a router sends back when a packet's
    /// TTL runs out (RFC 792, RFC 1812 §4.3.2.4): from <paramref name="ownIp"/> and <paramref name="ownMac"/> to the
    /// packet's sender, quoting its IP header and first 8 bytes of data. Returns the length, or 0 where RFC 1812 says
    /// not to answer: a fragment other than the first, or an ICMP error itself.
    /// </summary>
    public static int TimeExceeded(Span<byte> reply, ReadOnlySpan<byte> original, ulong ownMac, uint ownIp)
    {
        if (!Frame.IsIpv4(original) || (Frame.ReadUInt16(original, Frame.EthernetHeader + 6) & 0x1fff) != 0) return 0;
        int ipLength = Frame.IpHeaderLength(original);
        if (Frame.Protocol(original) == Frame.Icmp && original.Length > Frame.EthernetHeader + ipLength
            && original[Frame.EthernetHeader + ipLength] is 3 or 4 or 5 or 11 or 12) return 0;
        int quoted = Math.Min(ipLength + 8, original.Length - Frame.EthernetHeader);
        int length = Frame.EthernetHeader + 20 + 8 + quoted;
        var r = reply[..length];
        r.Clear();
        original[6..12].CopyTo(r);                                   // back to the sender's MAC
        Mac.Write(r[6..], ownMac);
        Frame.WriteUInt16(r, 12, Frame.EtherTypeIpv4);
        var ip = r[Frame.EthernetHeader..];
        ip[0] = 0x45;
        ip[1] = 0xc0;                                                 // internetwork control
        Frame.WriteUInt16(ip, 2, (ushort)(20 + 8 + quoted));
        ip[8] = 64;
        ip[9] = Frame.Icmp;
        Frame.WriteUInt32(ip, 12, ownIp);
        Frame.WriteUInt32(ip, 16, Frame.SourceIp(original));
        Frame.WriteUInt16(ip, 10, Checksum.Fold(Checksum.Sum(ip[..20])));
        var icmp = ip[20..];
        icmp[0] = 11;
        original.Slice(Frame.EthernetHeader, quoted).CopyTo(icmp[8..]);
        Frame.WriteUInt16(icmp, 2, Checksum.Fold(Checksum.Sum(icmp[..(8 + quoted)])));
        return length;
    }
}
