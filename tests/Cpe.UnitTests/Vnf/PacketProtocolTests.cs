using Cpe.PacketIo.Protocols;
using Cpe.Vnfs.Firewall;
using Cpe.Vnfs.Router;

namespace Cpe.UnitTests.Vnf;

[Trait("Kind", "Unit")]
public sealed class PacketProtocolTests
{
    /// <summary>An Ethernet + IPv4 + UDP frame with correct checksums, built by hand.</summary>
    static byte[] UdpFrame(uint src, uint dst, ushort sport, ushort dport, string payload)
    {
        var data = System.Text.Encoding.ASCII.GetBytes(payload);
        var f = new byte[14 + 20 + 8 + data.Length];
        Frame.WriteUInt16(f, 12, Frame.EtherTypeIpv4);
        f[14] = 0x45;
        Frame.WriteUInt16(f, 16, (ushort)(20 + 8 + data.Length));
        f[22] = 64;
        f[23] = Frame.Udp;
        Frame.WriteUInt32(f, 26, src);
        Frame.WriteUInt32(f, 30, dst);
        Frame.WriteUInt16(f, 24, Checksum.Fold(Checksum.Sum(f.AsSpan(14, 20))));
        Frame.WriteUInt16(f, 34, sport);
        Frame.WriteUInt16(f, 36, dport);
        Frame.WriteUInt16(f, 38, (ushort)(8 + data.Length));
        data.CopyTo(f, 42);
        Checksum.CompleteTransport(f);
        return f;
    }

    static bool ChecksumsHold(byte[] f)
    {
        bool ip = Checksum.Fold(Checksum.Sum(f.AsSpan(14, 20))) == 0;
        var copy = (byte[])f.Clone();
        Checksum.CompleteTransport(copy);
        return ip && copy.AsSpan().SequenceEqual(f);
    }

    [Fact]
    public void A_time_exceeded_goes_back_to_the_sender_quoting_the_header_and_8_bytes_and_never_answers_an_ICMP_error()
    {
        var original = UdpFrame(Frame.ParseIp("10.1.0.2"), Frame.ParseIp("10.2.0.2"), 5000, 53, "a query longer than eight bytes");
        new byte[] { 2, 0, 0, 0, 0, 0x0a }.CopyTo(original, 6);   // the sender's MAC
        var reply = new byte[Icmp.TimeExceededMaxLength];
        int length = Icmp.TimeExceeded(reply, original, 0x02000000000b, Frame.ParseIp("10.1.0.1"));
        var r = reply.AsSpan(0, length);
        Assert.Equal(14 + 20 + 8 + 28, length);
        Assert.Equal(original.AsSpan(6, 6), r[..6]);
        Assert.Equal(0x02000000000bUL, Mac.Read(r[6..]));
        Assert.Equal(("10.1.0.1", "10.1.0.2", Frame.Icmp), (Frame.Ip(Frame.SourceIp(r)), Frame.Ip(Frame.DestinationIp(r)), Frame.Protocol(r)));
        Assert.Equal(0, Checksum.Fold(Checksum.Sum(r.Slice(14, 20))));          // IP header checksum holds
        Assert.Equal(0, Checksum.Fold(Checksum.Sum(r[34..])));                   // ICMP checksum holds
        Assert.Equal((byte)11, r[34]);
        Assert.Equal(original.AsSpan(14, 28), r[42..]);                         // IP header and 8 bytes of UDP

        // The answer to an expiring time exceeded is silence; so is a later fragment.
        Assert.Equal(0, Icmp.TimeExceeded(new byte[Icmp.TimeExceededMaxLength], r, 1, 1));
        Frame.WriteUInt16(original, 20, 0x00b9);
        Assert.Equal(0, Icmp.TimeExceeded(new byte[Icmp.TimeExceededMaxLength], original, 1, 1));
    }

    [Fact]
    public void Incremental_updates_give_the_checksums_a_full_computation_gives()
    {
        var f = UdpFrame(0xC0A80102, 0xCB007101, 40000, 53, "odd-length payload!");
        Assert.True(ChecksumsHold(f));
        // Rewrite the source address and port as NAT does, updating both checksums incrementally.
        uint oldIp = Frame.SourceIp(f), newIp = 0xCB00710A;
        Frame.WriteUInt32(f, 26, newIp);
        Frame.WriteUInt16(f, 24, Checksum.Update(Frame.ReadUInt16(f, 24), oldIp, newIp));
        ushort udp = Checksum.Update(Frame.ReadUInt16(f, 40), oldIp, newIp);
        Frame.WriteUInt16(f, 34, 20001);
        Frame.WriteUInt16(f, 40, Checksum.Update(udp, 40000, 20001));
        Assert.True(ChecksumsHold(f));
        Assert.Equal(new FlowKey(0xCB00710A, 0xCB007101, 20001, 53, Frame.Udp), Frame.Flow(f));
    }

    [Fact]
    public void Firewall_rules_match_the_first_packet_of_a_flow_and_bad_rules_say_what_is_wrong()
    {
        var rule = Rule.Parse("allow in tcp 203.0.113.0/24 192.168.1.10 22");
        Assert.True(rule.Matches(Direction.Inbound, new FlowKey(0xCB007105, 0xC0A8010A, 5555, 22, Frame.Tcp)));
        Assert.False(rule.Matches(Direction.Inbound, new FlowKey(0xCB007205, 0xC0A8010A, 5555, 22, Frame.Tcp)));
        Assert.False(rule.Matches(Direction.Outbound, new FlowKey(0xCB007105, 0xC0A8010A, 5555, 22, Frame.Tcp)));
        Assert.Equal(2, Rule.ParseList("deny out udp any any 53; allow in icmp any any").Count);
        Assert.Contains("'maybe' is not allow or deny", Assert.Throws<FormatException>(() => Rule.Parse("maybe in tcp any any")).Message);
        Assert.Contains("'10.0.0.0/33' has a bad prefix length", Assert.Throws<FormatException>(() => Rule.Parse("deny in any 10.0.0.0/33 any")).Message);
        Assert.Contains("'sctp' is not tcp, udp, icmp or any", Assert.Throws<FormatException>(() => Rule.Parse("deny in sctp any any")).Message);
    }

    [Fact]
    public void The_longest_matching_prefix_wins_and_gateways_must_be_on_a_connected_network()
    {
        var table = RouteTable.Parse(["in", "out"], "in=10.1.0.1/24,out=10.2.0.1/24", "0.0.0.0/0 via 10.2.0.254; 10.9.0.0/16 via 10.1.0.9; 10.9.8.0/24 via 10.2.0.8");
        Assert.Equal([Frame.ParseIp("10.1.0.1"), Frame.ParseIp("10.2.0.1")], table.Addresses);
        Route Lookup(string ip) => table.TryLookup(Frame.ParseIp(ip), out var r) ? r : throw new KeyNotFoundException(ip);
        Assert.Equal(new Route(0, 0), Lookup("10.1.0.7"));                                    // connected
        Assert.Equal(new Route(0, Frame.ParseIp("10.1.0.9")), Lookup("10.9.1.1"));            // /16
        Assert.Equal(new Route(1, Frame.ParseIp("10.2.0.8")), Lookup("10.9.8.1"));            // /24 beats /16
        Assert.Equal(new Route(1, Frame.ParseIp("10.2.0.254")), Lookup("8.8.8.8"));           // default
        Assert.Contains("gateway 192.0.2.1 is not on a connected network",
            Assert.Throws<FormatException>(() => RouteTable.Parse(["in", "out"], "in=10.1.0.1/24,out=10.2.0.1/24", "0.0.0.0/0 via 192.0.2.1")).Message);
        Assert.Contains("every port needs an address", Assert.Throws<FormatException>(() => RouteTable.Parse(["in", "out"], "in=10.1.0.1/24", "")).Message);
    }
}
