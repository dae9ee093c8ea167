using System.Buffers.Binary;
using Cpe.Netlink;

namespace Cpe.UnitTests.Netlink;

/// <summary>Malformed replies are refused with <see cref="NetlinkFormatException"/>, never a crash or a read past the end.</summary>
[Trait("Kind", "Unit")]
public class NetlinkParserTests
{
    /// <summary>An RTM_NEWLINK reply as the kernel would send it for one veth.</summary>
    static byte[] LinkReply()
    {
        var w = new NetlinkWriter(Kernel.RTM_NEWLINK, 0).IfInfo(7, Kernel.IFF_UP | Kernel.IFF_LOWER_UP)
            .Str(Kernel.IFLA_IFNAME, "ge-0-0-1").U32(Kernel.IFLA_MTU, 1500)
            .Attr(Kernel.IFLA_ADDRESS, [2, 0, 0, 0, 0, 9]).U32(Kernel.IFLA_MASTER, 3).Str(Kernel.IFLA_IFALIAS, "cpe:ge-0/0/1", false)
            .U8(Kernel.IFLA_OPERSTATE, 6).Attr(Kernel.IFLA_STATS64, Enumerable.Range(1, 8).SelectMany(i => BitConverter.GetBytes((ulong)i * 10)).ToArray());
        int info = w.Begin(Kernel.IFLA_LINKINFO);
        w.Str(Kernel.IFLA_INFO_KIND, "veth", false).End(info);
        return w.Message.ToArray();
    }

    [Fact]
    public void Parses_a_link_reply()
    {
        var m = Assert.Single(NetlinkParser.Split(LinkReply()));
        var link = RtnlParser.Link(m.Payload.Span);
        Assert.Equal(new LinkInfo(7, "ge-0-0-1", "veth", true, true, 1500, "02:00:00:00:00:09", 3, "cpe:ge-0/0/1", "up",
            new LinkStatistics(10, 20, 30, 40, 50, 60, 70, 80)), link);
    }

    [Fact]
    public void Every_truncation_is_refused_cleanly()
    {
        var full = LinkReply();
        for (int cut = 1; cut < full.Length; cut++)
        {
            var part = full[..cut];
            // Keep the header's length honest for the bytes we have, so the attribute walker is what is tested.
            if (cut >= 4) BinaryPrimitives.WriteUInt32LittleEndian(part, (uint)cut);
            try
            {
                foreach (var m in NetlinkParser.Split(part)) RtnlParser.Link(m.Payload.Span);
            }
            catch (NetlinkFormatException) { }
        }
    }

    [Fact]
    public void A_length_past_the_end_is_refused()
    {
        var bytes = LinkReply();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bytes.Length + 4);
        Assert.Throws<NetlinkFormatException>(() => NetlinkParser.Split(bytes));
    }

    [Fact]
    public void A_nested_attribute_past_its_parent_is_refused()
    {
        var w = new NetlinkWriter(Kernel.RTM_NEWLINK, 0).IfInfo(1).Str(Kernel.IFLA_IFNAME, "x");
        int info = w.Begin(Kernel.IFLA_LINKINFO);
        w.Str(Kernel.IFLA_INFO_KIND, "veth", false).End(info);
        var bytes = w.Message.ToArray();
        // The INFO_KIND inside claims 40 bytes in a parent of 12.
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(bytes.Length - 8), 40);
        var m = Assert.Single(NetlinkParser.Split(bytes));
        Assert.Throws<NetlinkFormatException>(() => RtnlParser.Link(m.Payload.Span));
    }

    [Fact]
    public void An_attribute_shorter_than_its_header_is_refused()
    {
        var bytes = LinkReply();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(16 + 16), 2);
        var m = Assert.Single(NetlinkParser.Split(bytes));
        Assert.Throws<NetlinkFormatException>(() => RtnlParser.Link(m.Payload.Span));
    }

    [Fact]
    public void A_u32_attribute_with_too_few_bytes_is_refused()
    {
        var bytes = new NetlinkWriter(Kernel.RTM_NEWLINK, 0).IfInfo(1).Attr(Kernel.IFLA_MTU, [1, 2]).Message.ToArray();
        Assert.Throws<NetlinkFormatException>(() => RtnlParser.Link(NetlinkParser.Split(bytes)[0].Payload.Span));
    }

    [Fact]
    public void Random_corruption_never_escapes_as_anything_but_a_format_error()
    {
        var random = new Random(8572);
        var valid = LinkReply();
        for (int round = 0; round < 20_000; round++)
        {
            var bytes = (byte[])valid.Clone();
            for (int flips = random.Next(1, 6); flips > 0; flips--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            try
            {
                foreach (var m in NetlinkParser.Split(bytes)) RtnlParser.Link(m.Payload.Span);
            }
            catch (NetlinkFormatException) { }
        }
    }

    [Fact]
    public void Address_and_route_payloads_too_short_for_their_headers_are_refused()
    {
        Assert.Throws<NetlinkFormatException>(() => RtnlParser.Address(new byte[7]));
        Assert.Throws<NetlinkFormatException>(() => RtnlParser.Route(new byte[11]));
        var badAddress = new NetlinkWriter(Kernel.RTM_NEWADDR, 0).IfAddr(2, 24, 1).Attr(Kernel.IFA_ADDRESS, [1, 2, 3]).Message.ToArray();
        Assert.Throws<NetlinkFormatException>(() => RtnlParser.Address(NetlinkParser.Split(badAddress)[0].Payload.Span));
    }

    [Fact]
    public void Parses_fdb_entries_and_port_vlans()
    {
        var fdb = new NetlinkWriter(Kernel.RTM_NEWNEIGH, 0).Nd(Kernel.AF_BRIDGE, 4, Kernel.NUD_NOARP, Kernel.NTF_MASTER)
            .Attr(Kernel.NDA_LLADDR, [2, 0, 0, 0, 0, 0xaa]).U32(Kernel.NDA_MASTER, 2).Attr(Kernel.NDA_VLAN, [10, 0]).Message.ToArray();
        Assert.Equal(new FdbEntry(4, "02:00:00:00:00:aa", 2, 10, true), RtnlBridgeParser.Fdb(NetlinkParser.Split(fdb)[0].Payload.Span));

        var w = new NetlinkWriter(Kernel.RTM_NEWLINK, 0).IfInfo(4, family: Kernel.AF_BRIDGE);
        int spec = w.Begin(Kernel.IFLA_AF_SPEC);
        w.Attr(Kernel.IFLA_BRIDGE_VLAN_INFO, [6, 0, 10, 0]).Attr(Kernel.IFLA_BRIDGE_VLAN_INFO, [0, 0, 20, 0]).End(spec);
        var (port, vlans) = RtnlBridgeParser.Vlans(NetlinkParser.Split(w.Message.ToArray())[0].Payload.Span);
        Assert.Equal(4, port);
        Assert.Equal([new PortVlan(10, true, true), new PortVlan(20, false, false)], vlans);
    }

    [Fact]
    public void Malformed_fdb_and_vlan_messages_are_refused()
    {
        Assert.Throws<NetlinkFormatException>(() => RtnlBridgeParser.Fdb(new byte[11]));
        var noMac = new NetlinkWriter(Kernel.RTM_NEWNEIGH, 0).Nd(Kernel.AF_BRIDGE, 4, 0, 0).Message.ToArray();
        Assert.Throws<NetlinkFormatException>(() => RtnlBridgeParser.Fdb(NetlinkParser.Split(noMac)[0].Payload.Span));
        var w = new NetlinkWriter(Kernel.RTM_NEWLINK, 0).IfInfo(4, family: Kernel.AF_BRIDGE);
        int spec = w.Begin(Kernel.IFLA_AF_SPEC);
        w.Attr(Kernel.IFLA_BRIDGE_VLAN_INFO, [6, 0]).End(spec);
        Assert.Throws<NetlinkFormatException>(() => RtnlBridgeParser.Vlans(NetlinkParser.Split(w.Message.ToArray())[0].Payload.Span));
    }

    [Fact]
    public void Parses_the_vf_list_of_a_pf_and_refuses_short_settings()
    {
        static byte[] Words(params uint[] w) => w.SelectMany(BitConverter.GetBytes).ToArray();
        var w = new NetlinkWriter(Kernel.RTM_NEWLINK, 0).IfInfo(2).Str(Kernel.IFLA_IFNAME, "eth0");
        int list = w.Begin(Kernel.IFLA_VFINFO_LIST);
        int info = w.Begin(Kernel.IFLA_VF_INFO);
        w.Attr(Kernel.IFLA_VF_MAC, Words(1).Concat(new byte[] { 2, 0, 0, 0, 1, 1 }).Concat(new byte[26]).ToArray())
            .Attr(Kernel.IFLA_VF_VLAN, Words(1, 100, 2)).Attr(Kernel.IFLA_VF_SPOOFCHK, Words(1, 0)).Attr(Kernel.IFLA_VF_TRUST, Words(1, 1))
            .Attr(Kernel.IFLA_VF_RATE, Words(1, 0, 100)).Attr(Kernel.IFLA_VF_LINK_STATE, Words(1, 2));
        w.End(info).End(list);
        var link = RtnlParser.Link(NetlinkParser.Split(w.Message.ToArray())[0].Payload.Span);
        Assert.Equal(new VfInfo(1, "02:00:00:00:01:01", 100, 2, false, true, 0, 100, VfLinkState.Disable), Assert.Single(link.Vfs));

        var bad = new NetlinkWriter(Kernel.RTM_NEWLINK, 0).IfInfo(2);
        list = bad.Begin(Kernel.IFLA_VFINFO_LIST);
        info = bad.Begin(Kernel.IFLA_VF_INFO);
        bad.Attr(Kernel.IFLA_VF_RATE, Words(1, 0)).End(info).End(list);
        Assert.Throws<NetlinkFormatException>(() => RtnlParser.Link(NetlinkParser.Split(bad.Message.ToArray())[0].Payload.Span));
    }
}
