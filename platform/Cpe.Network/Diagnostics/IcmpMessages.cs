using System.Buffers.Binary;
using System.Net.Sockets;

namespace Cpe.Network.Diagnostics;

/// <summary>What came back for one echo request.</summary>
public enum ProbeOutcome { Reply, TimeExceeded, Unreachable, Timeout }

/// <summary>An ICMP message that answers our echo request: its kind, the ICMP length, the IPv4 TTL it arrived with, why.</summary>
public sealed record IcmpAnswer(ProbeOutcome Outcome, int Bytes, int? Ttl, string? Detail, string? Flag);

/// <summary>
/// ICMP echo requests and the messages that answer them (RFC 792 for IPv4, RFC 4443 for IPv6): an echo reply, or an
/// error quoting our request (time exceeded, destination unreachable, packet too big). Pure byte work, no sockets.
/// </summary>
public static class IcmpMessages
{
    public const int HeaderBytes = 8;
    const byte EchoRequestV4 = 8, EchoReplyV4 = 0, UnreachableV4 = 3, TimeExceededV4 = 11;
    const byte EchoRequestV6 = 128, EchoReplyV6 = 129, UnreachableV6 = 1, TooBigV6 = 2, TimeExceededV6 = 3;
    const int Ipv6HeaderBytes = 40;

    /// <summary>
    /// An echo request with <paramref name="payloadBytes"/> of data (a counting pattern, as ping's). IPv4 carries its
    /// checksum; for IPv6 the kernel fills it in, since it covers the pseudo-header with addresses only it knows.
    /// </summary>
    public static byte[] EchoRequest(AddressFamily family, ushort identifier, ushort sequence, int payloadBytes)
    {
        var packet = new byte[HeaderBytes + payloadBytes];
        packet[0] = family == AddressFamily.InterNetworkV6 ? EchoRequestV6 : EchoRequestV4;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), identifier);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), sequence);
        for (int i = 0; i < payloadBytes; i++) packet[HeaderBytes + i] = (byte)i;
        if (family == AddressFamily.InterNetwork) BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), Checksum(packet));
        return packet;
    }

    /// <summary>The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit words.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (i < data.Length) sum += (uint)(data[i] << 8);
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary>
    /// What <paramref name="packet"/> (as a raw socket reads it: with the IPv4 header, without the IPv6 one) says about
    /// our request <paramref name="identifier"/>/<paramref name="sequence"/>, or null when it is about something else
    /// (another ping's reply, our own request looped back, a truncated message).
    /// </summary>
    public static IcmpAnswer? Match(ReadOnlySpan<byte> packet, AddressFamily family, ushort identifier, ushort sequence)
    {
        int? ttl = null;
        if (family == AddressFamily.InterNetwork)
        {
            if (packet.Length < 20 || packet[0] >> 4 != 4) return null;
            int headerBytes = (packet[0] & 0x0f) * 4;
            if (headerBytes < 20 || packet.Length < headerBytes + HeaderBytes) return null;
            ttl = packet[8];
            packet = packet[headerBytes..];
        }
        else if (packet.Length < HeaderBytes) return null;

        byte type = packet[0], code = packet[1];
        bool v6 = family == AddressFamily.InterNetworkV6;
        if (type == (v6 ? EchoReplyV6 : EchoReplyV4))
            return Ours(packet, identifier, sequence) ? new IcmpAnswer(ProbeOutcome.Reply, packet.Length, ttl, null, null) : null;

        // An error quotes the start of the datagram that caused it: its IP header, then our echo request's first 8 bytes.
        var quoted = packet[HeaderBytes..];
        int quotedHeader;
        if (v6) quotedHeader = quoted.Length >= Ipv6HeaderBytes && quoted[0] >> 4 == 6 && quoted[6] == 58 ? Ipv6HeaderBytes : -1;
        else quotedHeader = quoted.Length >= 20 && quoted[0] >> 4 == 4 && quoted[9] == 1 ? (quoted[0] & 0x0f) * 4 : -1;
        if (quotedHeader < 0 || quoted.Length < quotedHeader + HeaderBytes) return null;
        var request = quoted[quotedHeader..];
        if (request[0] != (v6 ? EchoRequestV6 : EchoRequestV4) || !Ours(request, identifier, sequence)) return null;

        return (v6, type) switch
        {
            (false, TimeExceededV4) or (true, TimeExceededV6) =>
                new IcmpAnswer(ProbeOutcome.TimeExceeded, packet.Length, ttl, code == 0 ? "time to live exceeded" : "fragment reassembly time exceeded", null),
            (false, UnreachableV4) => Unreachable(packet.Length, ttl, code switch
            {
                0 => ("network unreachable", "!N"),
                1 => ("host unreachable", "!H"),
                2 => ("protocol unreachable", "!P"),
                3 => ("port unreachable", "!P"),
                4 => ($"fragmentation needed (next-hop MTU {BinaryPrimitives.ReadUInt16BigEndian(packet[6..])})", "!F"),
                9 or 10 or 13 => ("administratively prohibited", "!X"),
                _ => ($"destination unreachable (code {code})", $"!<{code}>"),
            }),
            (true, UnreachableV6) => Unreachable(packet.Length, ttl, code switch
            {
                0 => ("no route to destination", "!N"),
                1 => ("administratively prohibited", "!X"),
                3 => ("address unreachable", "!H"),
                4 => ("port unreachable", "!P"),
                _ => ($"destination unreachable (code {code})", $"!<{code}>"),
            }),
            (true, TooBigV6) => Unreachable(packet.Length, ttl, ($"packet too big (next-hop MTU {BinaryPrimitives.ReadUInt32BigEndian(packet[4..])})", "!F")),
            _ => null,
        };
    }

    static IcmpAnswer Unreachable(int bytes, int? ttl, (string Detail, string Flag) why) => new(ProbeOutcome.Unreachable, bytes, ttl, why.Detail, why.Flag);

    static bool Ours(ReadOnlySpan<byte> icmp, ushort identifier, ushort sequence) =>
        BinaryPrimitives.ReadUInt16BigEndian(icmp[4..]) == identifier && BinaryPrimitives.ReadUInt16BigEndian(icmp[6..]) == sequence;
}
