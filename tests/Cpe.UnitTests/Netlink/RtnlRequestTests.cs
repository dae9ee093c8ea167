using System.Net;
using Cpe.Netlink;

namespace Cpe.UnitTests.Netlink;

/// <summary>Our requests are byte for byte what iproute2 6.1 sends for the same operation (sequence number aside).</summary>
[Trait("Kind", "Unit")]
public class RtnlRequestTests
{
    static void Same(string capture, Func<Iproute2Capture, NetlinkWriter> build)
    {
        var c = Iproute2Capture.Load(capture);
        var ours = Iproute2Capture.WithoutSequence(build(c).Message);
        Assert.True(Iproute2Capture.WithoutSequence(c.Bytes).AsSpan().SequenceEqual(ours),
            $"{c.Command}\n iproute2: {Convert.ToHexString(Iproute2Capture.WithoutSequence(c.Bytes))}\n ours:     {Convert.ToHexString(ours)}");
    }

    [Fact] public void Add_bridge() => Same("link-add-bridge", _ => RtnlRequests.CreateBridge("cpetbr0"));
    [Fact] public void Add_veth_pair() => Same("link-add-veth", _ => RtnlRequests.CreateVeth("cpetv0", "cpetv1"));
    [Fact] public void Add_macvlan_in_bridge_mode() => Same("link-add-macvlan", c => RtnlRequests.CreateMacvlan("cpetmv0", c.IfIndex["cpetv0"], MacvlanMode.Bridge));
    [Fact] public void Delete_link() => Same("link-del", c => RtnlRequests.DeleteLink(c.IfIndex["cpetmv0"]));
    [Fact] public void Set_up() => Same("link-set-up", c => RtnlRequests.SetAdminState(c.IfIndex["cpetv0"], true));
    [Fact] public void Set_down() => Same("link-set-down", c => RtnlRequests.SetAdminState(c.IfIndex["cpetv0"], false));
    [Fact] public void Set_mtu() => Same("link-set-mtu", c => RtnlRequests.SetMtu(c.IfIndex["cpetv0"], 1400));
    [Fact] public void Set_mac() => Same("link-set-address", c => RtnlRequests.SetMac(c.IfIndex["cpetv0"], RtnlParser.ParseMac("02:00:00:00:00:01")));
    [Fact] public void Set_master() => Same("link-set-master", c => RtnlRequests.SetMaster(c.IfIndex["cpetv0"], c.IfIndex["cpetbr0"]));
    [Fact] public void Release_from_master() => Same("link-set-nomaster", c => RtnlRequests.SetMaster(c.IfIndex["cpetv0"], 0));
    [Fact] public void Set_alias() => Same("link-set-alias", c => RtnlRequests.SetAlias(c.IfIndex["cpetv0"], "cpe:ge-0/0/1"));
    [Fact] public void Add_ipv4_address() => Same("addr-add-v4", c => RtnlRequests.AddAddress(c.IfIndex["cpetbr0"], IPAddress.Parse("192.0.2.1"), 24));
    [Fact] public void Add_ipv6_address() => Same("addr-add-v6", c => RtnlRequests.AddAddress(c.IfIndex["cpetbr0"], IPAddress.Parse("2001:db8::1"), 64));
    [Fact] public void Delete_ipv4_address() => Same("addr-del-v4", c => RtnlRequests.DeleteAddress(c.IfIndex["cpetbr0"], IPAddress.Parse("192.0.2.1"), 24));
    [Fact] public void Add_ipv4_route_via_gateway() => Same("route-add-v4", _ => RtnlRequests.AddRoute(IPAddress.Parse("198.51.100.0"), 24, IPAddress.Parse("192.0.2.254"), null));
    [Fact] public void Add_ipv6_route_via_gateway() => Same("route-add-v6", _ => RtnlRequests.AddRoute(IPAddress.Parse("2001:db8:1::"), 48, IPAddress.Parse("2001:db8::fe"), null));
    [Fact] public void Delete_ipv4_route() => Same("route-del-v4", _ => RtnlRequests.DeleteRoute(IPAddress.Parse("198.51.100.0"), 24, IPAddress.Parse("192.0.2.254"), null));

    [Fact] public void Add_static_fdb_entry() => Same("fdb-add", c => RtnlBridgeRequests.AddStaticFdb(c.IfIndex["cpetv0"], RtnlParser.ParseMac("02:00:00:00:00:aa")));
    [Fact] public void Delete_static_fdb_entry() => Same("fdb-del", c => RtnlBridgeRequests.DeleteStaticFdb(c.IfIndex["cpetv0"], RtnlParser.ParseMac("02:00:00:00:00:aa")));
    [Fact] public void Set_bridge_port_flags() => Same("bridge-port-flags", c => RtnlBridgeRequests.SetPortFlags(c.IfIndex["cpetv0"], learning: false, flood: false));
    [Fact] public void Enable_vlan_filtering() => Same("bridge-vlan-filtering", c => RtnlBridgeRequests.SetVlanFiltering(c.IfIndex["cpetbr0"], true));
    [Fact] public void Add_port_vlan_as_pvid_untagged() => Same("bridge-vlan-add", c => RtnlBridgeRequests.AddVlan(c.IfIndex["cpetv0"], new PortVlan(10, Pvid: true, Untagged: true)));
    [Fact] public void Delete_port_vlan() => Same("bridge-vlan-del", c => RtnlBridgeRequests.DeleteVlan(c.IfIndex["cpetv0"], 10));

    [Fact] public void Set_vf_mac() => Same("vf-mac", c => RtnlVfRequests.SetMac(c.IfIndex["cpetv0"], 0, RtnlParser.ParseMac("02:00:00:00:01:00")));
    [Fact] public void Set_vf_vlan_and_qos() => Same("vf-vlan", c => RtnlVfRequests.SetVlan(c.IfIndex["cpetv0"], 1, 100, 2));
    [Fact] public void Set_vf_spoofchk() => Same("vf-spoofchk", c => RtnlVfRequests.SetSpoofCheck(c.IfIndex["cpetv0"], 2, false));
    [Fact] public void Set_vf_trust() => Same("vf-trust", c => RtnlVfRequests.SetTrust(c.IfIndex["cpetv0"], 3, true));
    [Fact] public void Set_vf_rate() => Same("vf-rate", c => RtnlVfRequests.SetRate(c.IfIndex["cpetv0"], 0, 10, 100));
    [Fact] public void Set_vf_link_state() => Same("vf-state", c => RtnlVfRequests.SetLinkState(c.IfIndex["cpetv0"], 1, VfLinkState.Disable));

    [Fact]
    public void Every_capture_has_a_test()
    {
        var captured = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Netlink", "iproute2"), "*.hex").Length;
        // Every fact but this one and the VLAN range check compares against one capture.
        var tested = typeof(RtnlRequestTests).GetMethods().Count(m => m.GetCustomAttributes(typeof(FactAttribute), false).Length > 0) - 2;
        Assert.Equal(captured, tested);
    }

    [Fact]
    public void A_vlan_id_outside_1_to_4094_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RtnlBridgeRequests.AddVlan(1, new PortVlan(0, false, false)));
        Assert.Throws<ArgumentOutOfRangeException>(() => RtnlBridgeRequests.AddVlan(1, new PortVlan(4095, false, false)));
    }
}
