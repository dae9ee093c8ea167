using System.Buffers.Binary;
using System.Net;
using Cpe.Network.Dhcp;

namespace Cpe.UnitTests.Network;

[Trait("Kind", "Unit")]
public class DhcpCodecTests
{
    static readonly byte[] Mac = [2, 0, 0, 0, 0, 0x17];

    /// <summary>An ACK as a server sends it: lease, router, DNS, NTP, domain, vendor data and option 143.</summary>
    static byte[] Ack(params string[] bootstrapServers)
    {
        var options = new DhcpOptions()
            .Set(DhcpOptionCode.MessageType, [(byte)DhcpMessageType.Ack])
            .Set(DhcpOptionCode.ServerIdentifier, [192, 0, 2, 1])
            .Set(DhcpOptionCode.LeaseTime, [0, 0, 0x0e, 0x10])
            .Set(DhcpOptionCode.SubnetMask, [255, 255, 255, 0])
            .Set(DhcpOptionCode.Router, [192, 0, 2, 1])
            .Set(DhcpOptionCode.DomainNameServer, [192, 0, 2, 53, 192, 0, 2, 54])
            .Set(DhcpOptionCode.NtpServers, [192, 0, 2, 123])
            .Set(DhcpOptionCode.DomainName, "site.example"u8)
            .Set(DhcpOptionCode.VendorSpecific, [1, 2, 0xca, 0xfe])
            .Set(DhcpOptionCode.SztpRedirect, SztpRedirect.Encode(bootstrapServers));
        return new DhcpMessage(DhcpMessage.BootReply, 0x1234abcd, 0, false, IPAddress.Any, IPAddress.Parse("192.0.2.17"),
            IPAddress.Parse("192.0.2.1"), IPAddress.Any, Mac, options).Encode();
    }

    [Fact]
    public void Decodes_an_ack_with_every_option_the_phone_home_agent_reads()
    {
        var m = DhcpMessage.Decode(Ack("https://bootstrap.example.net", "https://192.0.2.10:8443"));
        Assert.Equal((DhcpMessage.BootReply, 0x1234abcdu, "192.0.2.17"), (m.Op, m.TransactionId, m.YourAddress.ToString()));
        Assert.Equal(Mac, m.ClientHardwareAddress);
        var o = m.Options;
        Assert.Equal(DhcpMessageType.Ack, o.MessageType);
        Assert.Equal(TimeSpan.FromHours(1), o.LeaseTime);
        Assert.Equal("255.255.255.0", o.SubnetMask!.ToString());
        Assert.Equal(["192.0.2.1"], o.Routers.Select(a => a.ToString()));
        Assert.Equal(["192.0.2.53", "192.0.2.54"], o.DnsServers.Select(a => a.ToString()));
        Assert.Equal(["192.0.2.123"], o.NtpServers.Select(a => a.ToString()));
        Assert.Equal("site.example", o.DomainName);
        Assert.Equal([1, 2, 0xca, 0xfe], o.VendorSpecific);
        Assert.Equal(["https://bootstrap.example.net/", "https://192.0.2.10:8443/"], o.SztpBootstrapServers.Select(u => u.ToString()));
    }

    [Fact]
    public void Option_143_skips_invalid_uris_and_stops_at_a_truncated_entry()
    {
        var data = SztpRedirect.Encode([
            "http://plain.example",                 // not https
            "https://bootstrap.example/path",       // a path
            "https://user@bootstrap.example",       // user info
            "https://bootstrap.example?x=1",        // a query
            "not a uri",
            "https://[2001:db8::1]:443",
            "https://ok.example"]).ToList();
        data.AddRange([0x00, 0x40, (byte)'h', (byte)'t']);   // claims 64 bytes, has 2
        Assert.Equal(["https://[2001:db8::1]/", "https://ok.example/"], SztpRedirect.Decode(data.ToArray()).Select(u => u.ToString()));
        Assert.Empty(SztpRedirect.Decode([0x00]));
    }

    [Fact]
    public void A_long_option_spans_instances_and_is_concatenated_on_receipt()
    {
        var uris = Enumerable.Range(0, 12).Select(i => $"https://bootstrap-{i:00}.region.example.net:8443").ToArray();
        var packet = Ack(uris);
        // The encoder split option 143 (over 255 bytes) into several instances; the decoder joined them.
        int instances = 0;
        for (int i = 240; i < packet.Length && packet[i] != 255; i += packet[i] == 0 ? 1 : packet[i + 1] + 2)
            if (packet[i] == DhcpOptionCode.SztpRedirect) instances++;
        Assert.True(instances >= 2, $"{instances} instance(s)");
        Assert.Equal(uris.Select(u => u + "/"), DhcpMessage.Decode(packet).Options.SztpBootstrapServers.Select(u => u.ToString()));
    }

    [Fact]
    public void A_discover_round_trips()
    {
        var discover = new DhcpMessage(DhcpMessage.BootRequest, 42, 3, true, IPAddress.Any, IPAddress.Any, IPAddress.Any, IPAddress.Any, Mac,
            new DhcpOptions().Set(DhcpOptionCode.MessageType, [(byte)DhcpMessageType.Discover])
                .Set(DhcpOptionCode.ParameterRequestList, [1, 3, 6, 15, 42, 43, 51, 54, 58, 59, 143]));
        var bytes = discover.Encode();
        Assert.True(bytes.Length >= 300);
        var back = DhcpMessage.Decode(bytes);
        Assert.Equal((discover.TransactionId, discover.Seconds, true), (back.TransactionId, back.Seconds, back.Broadcast));
        Assert.Equal(DhcpMessageType.Discover, back.Options.MessageType);
        Assert.Equal(discover.Options[DhcpOptionCode.ParameterRequestList], back.Options[DhcpOptionCode.ParameterRequestList]);
    }

    [Fact]
    public void Malformed_packets_are_refused_with_a_format_error()
    {
        var valid = Ack("https://ok.example");
        Assert.Throws<DhcpFormatException>(() => DhcpMessage.Decode(valid.AsSpan(0, 100)));
        var noCookie = (byte[])valid.Clone();
        noCookie[236] = 0;
        Assert.Throws<DhcpFormatException>(() => DhcpMessage.Decode(noCookie));
        var longHlen = (byte[])valid.Clone();
        longHlen[2] = 200;
        Assert.Throws<DhcpFormatException>(() => DhcpMessage.Decode(longHlen));
        // An option whose length runs past the end of the packet.
        var pastEnd = valid[..250];
        pastEnd[240] = DhcpOptionCode.VendorSpecific;
        pastEnd[241] = 200;
        Assert.Throws<DhcpFormatException>(() => DhcpMessage.Decode(pastEnd));
    }

    [Fact]
    public void Every_truncation_and_random_corruption_ends_in_a_result_or_a_format_error()
    {
        var valid = Ack("https://bootstrap.example.net", "https://192.0.2.10:8443");
        for (int cut = 0; cut < valid.Length; cut++)
            Decode(valid.AsSpan(0, cut).ToArray());
        var random = new Random(143);
        for (int round = 0; round < 20_000; round++)
        {
            var bytes = (byte[])valid.Clone();
            for (int flips = random.Next(1, 8); flips > 0; flips--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            Decode(bytes);
        }

        static void Decode(byte[] bytes)
        {
            try
            {
                var o = DhcpMessage.Decode(bytes).Options;
                // Reading every typed option must not throw either.
                _ = (o.MessageType, o.LeaseTime, o.RenewalTime, o.RebindingTime, o.SubnetMask, o.ServerIdentifier, o.DomainName);
                _ = (o.Routers.Count, o.DnsServers.Count, o.NtpServers.Count, o.SztpBootstrapServers.Count);
            }
            catch (DhcpFormatException) { }
        }
    }
}
