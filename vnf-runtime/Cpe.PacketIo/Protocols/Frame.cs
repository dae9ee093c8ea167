using System.Buffers.Binary;

namespace Cpe.PacketIo.Protocols;

/// <summary>
/// Where things are in an Ethernet frame carrying IPv4 (offsets and fields read in place; nothing is copied or
/// allocated): the pre-processing every VNF shares. VLAN tags are taken off by the kernel before the ring.
/// </summary>
public static class Frame
{
    public const int EthernetHeader = 14;
    public const ushort EtherTypeIpv4 = 0x0800, EtherTypeArp = 0x0806;
    public const byte Icmp = 1, Tcp = 6, Udp = 17;

    public static ushort EtherType(ReadOnlySpan<byte> f) => f.Length >= EthernetHeader ? BinaryPrimitives.ReadUInt16BigEndian(f[12..]) : (ushort)0;

    public static Span<byte> DestinationMac(Span<byte> f) => f[..6];
    public static Span<byte> SourceMac(Span<byte> f) => f[6..12];

    /// <summary>True for a well-formed IPv4 packet (version 4, header within the frame): what the other accessors assume.</summary>
    public static bool IsIpv4(ReadOnlySpan<byte> f)
    {
        if (EtherType(f) != EtherTypeIpv4 || f.Length < EthernetHeader + 20) return false;
        byte vihl = f[EthernetHeader];
        int ihl = (vihl & 0xf) * 4;
        return vihl >> 4 == 4 && ihl >= 20 && f.Length >= EthernetHeader + ihl;
    }

    public static int IpHeaderLength(ReadOnlySpan<byte> f) => (f[EthernetHeader] & 0xf) * 4;
    public static byte Protocol(ReadOnlySpan<byte> f) => f[EthernetHeader + 9];
    public static byte Ttl(ReadOnlySpan<byte> f) => f[EthernetHeader + 8];
    public static uint SourceIp(ReadOnlySpan<byte> f) => BinaryPrimitives.ReadUInt32BigEndian(f[(EthernetHeader + 12)..]);
    public static uint DestinationIp(ReadOnlySpan<byte> f) => BinaryPrimitives.ReadUInt32BigEndian(f[(EthernetHeader + 16)..]);
    public static bool IsFragment(ReadOnlySpan<byte> f) => (BinaryPrimitives.ReadUInt16BigEndian(f[(EthernetHeader + 6)..]) & 0x3fff) != 0;

    /// <summary>Where the transport header starts, or -1 when the frame is too short for the protocol's ports.</summary>
    public static int L4(ReadOnlySpan<byte> f)
    {
        int at = EthernetHeader + IpHeaderLength(f);
        int need = Protocol(f) switch { Tcp => 20, Udp => 8, Icmp => 8, _ => 0 };
        return f.Length >= at + need ? at : -1;
    }

    public static ushort ReadUInt16(ReadOnlySpan<byte> f, int at) => BinaryPrimitives.ReadUInt16BigEndian(f[at..]);
    public static void WriteUInt16(Span<byte> f, int at, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(f[at..], value);
    public static void WriteUInt32(Span<byte> f, int at, uint value) => BinaryPrimitives.WriteUInt32BigEndian(f[at..], value);

    /// <summary>The transport checksum field's offset (TCP 16, UDP 6, ICMP 2 past the transport header).</summary>
    public static int ChecksumOffset(byte protocol) => protocol switch { Tcp => 16, Udp => 6, _ => 2 };

    /// <summary>The flow a packet belongs to, as seen in this direction; ICMP echo uses its identifier as both ports.</summary>
    public static FlowKey Flow(ReadOnlySpan<byte> f)
    {
        byte protocol = Protocol(f);
        int l4 = L4(f);
        ushort sp = 0, dp = 0;
        if (l4 >= 0 && protocol is Tcp or Udp) { sp = ReadUInt16(f, l4); dp = ReadUInt16(f, l4 + 2); }
        else if (l4 >= 0 && protocol == Icmp && f[l4] is 0 or 8) sp = dp = ReadUInt16(f, l4 + 4);
        return new FlowKey(SourceIp(f), DestinationIp(f), sp, dp, protocol);
    }

    public static string Ip(uint address) => $"{address >> 24}.{address >> 16 & 0xff}.{address >> 8 & 0xff}.{address & 0xff}";

    public static uint ParseIp(string text) =>
        System.Net.IPAddress.Parse(text).GetAddressBytes() is [var a, var b, var c, var d] ? (uint)(a << 24 | b << 16 | c << 8 | d) : throw new FormatException($"{text} is not an IPv4 address");
}
