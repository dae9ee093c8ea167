using System.Buffers.Binary;

namespace Cpe.PacketIo.Protocols;

/// <summary>The Internet checksum (RFC 1071) and its incremental update when a field changes (RFC 1624).</summary>
public static class Checksum
{
    /// <summary>One's-complement sum of <paramref name="data"/> (big-endian 16-bit words) added to <paramref name="initial"/>, not folded.</summary>
    public static uint Sum(ReadOnlySpan<byte> data, uint initial = 0)
    {
        uint sum = initial;
        int i = 0;
        for (; i + 1 < data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (i < data.Length) sum += (uint)data[i] << 8;
        return sum;
    }

    /// <summary>The checksum field's value for a <see cref="Sum"/>: carries folded in, complemented.</summary>
    public static ushort Fold(uint sum) => (ushort)~FoldSum(sum);

    /// <summary>The checksum field after a 16-bit word of the covered data changed from <paramref name="old"/> to <paramref name="new"/>.</summary>
    public static ushort Update(ushort checksum, ushort old, ushort @new)
    {
        // RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m')
        uint sum = (uint)(ushort)~checksum + (ushort)~old + @new;
        return (ushort)~FoldSum(sum);
    }

    /// <summary>The same for a 32-bit field (an IPv4 address), as two 16-bit words.</summary>
    public static ushort Update(ushort checksum, uint old, uint @new) =>
        Update(Update(checksum, (ushort)(old >> 16), (ushort)(@new >> 16)), (ushort)old, (ushort)@new);

    static ushort FoldSum(uint sum)
    {
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)sum;
    }

    /// <summary>
    /// Computes the TCP or UDP checksum of an IPv4 frame from scratch (pseudo-header, header and data): for frames
    /// whose sender left it to the NIC (checksum offload), which a VNF forwards instead of a NIC.
    /// </summary>
    public static void CompleteTransport(Span<byte> frame)
    {
        if (!Frame.IsIpv4(frame) || Frame.IsFragment(frame)) return;
        byte protocol = Frame.Protocol(frame);
        if (protocol is not (Frame.Tcp or Frame.Udp)) return;
        int l4 = Frame.L4(frame);
        int ipLength = Frame.ReadUInt16(frame, Frame.EthernetHeader + 2);
        int l4Length = Frame.EthernetHeader + ipLength - l4;
        if (l4 < 0 || l4Length < 8 || l4 + l4Length > frame.Length) return;
        int at = l4 + Frame.ChecksumOffset(protocol);
        Frame.WriteUInt16(frame, at, 0);
        uint sum = Sum(frame.Slice(Frame.EthernetHeader + 12, 8)) + protocol + (uint)l4Length;
        ushort checksum = Fold(Sum(frame.Slice(l4, l4Length), sum));
        Frame.WriteUInt16(frame, at, protocol == Frame.Udp && checksum == 0 ? (ushort)0xffff : checksum);
    }
}
