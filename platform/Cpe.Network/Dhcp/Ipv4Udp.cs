using System.Buffers.Binary;
using System.Net;

namespace Cpe.Network.Dhcp;

/// <summary>IPv4 and UDP headers around a DHCP payload, for a packet socket on an interface without an address.</summary>
public static class Ipv4Udp
{
    public const int ClientPort = 68, ServerPort = 67;

    public static byte[] Wrap(ReadOnlySpan<byte> payload, IPAddress source, IPAddress destination, int sourcePort, int destinationPort)
    {
        var packet = new byte[28 + payload.Length];
        packet[0] = 0x45;                        // IPv4, 20-byte header
        packet[1] = 0x10;                        // low delay, as DHCP clients send it
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        packet[8] = 64;                          // TTL
        packet[9] = 17;                          // UDP
        source.GetAddressBytes().CopyTo(packet, 12);
        destination.GetAddressBytes().CopyTo(packet, 16);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), Checksum(packet.AsSpan(0, 20)));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(20), (ushort)sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(22), (ushort)destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(24), (ushort)(8 + payload.Length));
        // UDP checksum 0: "none", which IPv4 allows and every DHCP server accepts.
        payload.CopyTo(packet.AsSpan(28));
        return packet;
    }

    /// <summary>The UDP payload of an unfragmented IPv4 packet to <paramref name="port"/>, or null for anything else.</summary>
    public static byte[]? Unwrap(ReadOnlySpan<byte> packet, int port)
    {
        if (packet.Length < 28 || packet[0] >> 4 != 4 || packet[9] != 17) return null;
        int ihl = (packet[0] & 0x0f) * 4;
        int total = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (ihl < 20 || total > packet.Length || total < ihl + 8) return null;
        if ((BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x3fff) != 0) return null;   // a fragment
        var udp = packet[ihl..total];
        if (BinaryPrimitives.ReadUInt16BigEndian(udp[2..]) != port) return null;
        int length = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
        if (length < 8 || length > udp.Length) return null;
        return udp[8..length].ToArray();
    }

    static ushort Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (int i = 0; i < header.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}
