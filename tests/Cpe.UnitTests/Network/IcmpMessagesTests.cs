using System.Buffers.Binary;
using System.Net.Sockets;
using Cpe.Network.Diagnostics;

namespace Cpe.UnitTests.Network;

[Trait("Kind", "Unit")]
public sealed class IcmpMessagesTests
{
    [Fact]
    public void Checksum_is_RFC_1071s_and_an_IPv4_echo_request_sums_to_zero_with_it()
    {
        // RFC 1071 section 3's example: the words 0001 f203 f4f5 f6f7 sum to ddf2 (with carries), complemented 220d.
        Assert.Equal(0x220d, IcmpMessages.Checksum([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]));
        var request = IcmpMessages.EchoRequest(AddressFamily.InterNetwork, 0x1234, 7, 56);
        Assert.Equal(64, request.Length);
        Assert.Equal((8, 0x1234, 7), (request[0], BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(4)), BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(6))));
        Assert.Equal(0, IcmpMessages.Checksum(request));
        // An odd length pads the last byte with zero.
        Assert.Equal(0, IcmpMessages.Checksum(IcmpMessages.EchoRequest(AddressFamily.InterNetwork, 1, 1, 3)));
        // IPv6: type 128, the checksum left to the kernel.
        var v6 = IcmpMessages.EchoRequest(AddressFamily.InterNetworkV6, 1, 2, 0);
        Assert.Equal([128, 0, 0, 0, 0, 1, 0, 2], v6);
    }

    static byte[] Ipv4(byte protocol, byte ttl, byte[] payload)
    {
        var packet = new byte[20 + payload.Length];
        packet[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        packet[8] = ttl;
        packet[9] = protocol;
        payload.CopyTo(packet, 20);
        return packet;
    }

    static byte[] Icmp(byte type, byte code, byte[] rest)
    {
        var m = new byte[8 + rest.Length];
        (m[0], m[1]) = (type, code);
        rest.CopyTo(m, 8);
        return m;
    }

    [Fact]
    public void An_IPv4_echo_reply_matches_only_its_own_identifier_and_sequence()
    {
        var reply = IcmpMessages.EchoRequest(AddressFamily.InterNetwork, 0x4242, 3, 56);
        reply[0] = 0;
        var answer = IcmpMessages.Match(Ipv4(1, 61, reply), AddressFamily.InterNetwork, 0x4242, 3);
        Assert.Equal(new IcmpAnswer(ProbeOutcome.Reply, 64, 61, null, null), answer);
        Assert.Null(IcmpMessages.Match(Ipv4(1, 61, reply), AddressFamily.InterNetwork, 0x4243, 3));   // another ping's
        Assert.Null(IcmpMessages.Match(Ipv4(1, 61, reply), AddressFamily.InterNetwork, 0x4242, 4));   // an earlier one, late
        Assert.Null(IcmpMessages.Match(Ipv4(1, 61, reply)[..25], AddressFamily.InterNetwork, 0x4242, 3));   // truncated
        var request = IcmpMessages.EchoRequest(AddressFamily.InterNetwork, 0x4242, 3, 56);
        Assert.Null(IcmpMessages.Match(Ipv4(1, 64, request), AddressFamily.InterNetwork, 0x4242, 3));   // our own request looped back
    }

    [Theory]
    [InlineData(11, 0, "TimeExceeded", "time to live exceeded", null)]
    [InlineData(3, 1, "Unreachable", "host unreachable", "!H")]
    [InlineData(3, 0, "Unreachable", "network unreachable", "!N")]
    [InlineData(3, 13, "Unreachable", "administratively prohibited", "!X")]
    [InlineData(3, 4, "Unreachable", "fragmentation needed (next-hop MTU 1400)", "!F")]
    public void An_IPv4_error_is_matched_by_the_request_it_quotes(byte type, byte code, string outcome, string detail, string? flag)
    {
        var quoted = Ipv4(1, 1, IcmpMessages.EchoRequest(AddressFamily.InterNetwork, 77, 9, 56))[..28];
        var error = Icmp(type, code, quoted);
        if (code == 4) BinaryPrimitives.WriteUInt16BigEndian(error.AsSpan(6), 1400);
        var answer = IcmpMessages.Match(Ipv4(1, 255, error), AddressFamily.InterNetwork, 77, 9);
        Assert.Equal(new IcmpAnswer(Enum.Parse<ProbeOutcome>(outcome), error.Length, 255, detail, flag), answer);
        Assert.Null(IcmpMessages.Match(Ipv4(1, 255, error), AddressFamily.InterNetwork, 78, 9));
        // An error about a UDP datagram (another program's) is not ours even with the same bytes after its header.
        var udp = quoted.ToArray();
        udp[9] = 17;
        Assert.Null(IcmpMessages.Match(Ipv4(1, 255, Icmp(type, code, udp)), AddressFamily.InterNetwork, 77, 9));
    }

    [Fact]
    public void IPv6_replies_and_errors_are_read_without_an_IP_header()
    {
        var reply = IcmpMessages.EchoRequest(AddressFamily.InterNetworkV6, 5, 6, 16);
        reply[0] = 129;
        Assert.Equal(new IcmpAnswer(ProbeOutcome.Reply, 24, null, null, null), IcmpMessages.Match(reply, AddressFamily.InterNetworkV6, 5, 6));

        var header = new byte[40];
        header[0] = 0x60;
        header[6] = 58;   // next header: ICMPv6
        var quoted = header.Concat(IcmpMessages.EchoRequest(AddressFamily.InterNetworkV6, 5, 6, 16)).ToArray();
        Assert.Equal(ProbeOutcome.TimeExceeded, IcmpMessages.Match(Icmp(3, 0, quoted), AddressFamily.InterNetworkV6, 5, 6)!.Outcome);
        Assert.Equal("!H", IcmpMessages.Match(Icmp(1, 3, quoted), AddressFamily.InterNetworkV6, 5, 6)!.Flag);
        var tooBig = Icmp(2, 0, quoted);
        BinaryPrimitives.WriteUInt32BigEndian(tooBig.AsSpan(4), 1280);
        Assert.Equal("packet too big (next-hop MTU 1280)", IcmpMessages.Match(tooBig, AddressFamily.InterNetworkV6, 5, 6)!.Detail);
        Assert.Null(IcmpMessages.Match(Icmp(3, 0, quoted), AddressFamily.InterNetworkV6, 5, 7));
    }
}
