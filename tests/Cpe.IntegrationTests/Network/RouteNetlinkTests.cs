using System.Net;
using System.Text.Json.Nodes;
using Cpe.Interop;
using Cpe.Netlink;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Network;

/// <summary>Our rtnetlink code against the real kernel, in a namespace of its own, read back with iproute2.</summary>
[Trait("Kind", "Integration")]
public sealed class RouteNetlinkTests : IDisposable
{
    readonly TestNamespace _ns = new();
    readonly RouteNetlink _rtnl;

    public RouteNetlinkTests() => _rtnl = RouteNetlink.OpenIn(_ns.Path);

    public void Dispose()
    {
        _rtnl.Dispose();
        _ns.Dispose();
    }

    JsonNode Link(string name) => _ns.IpJson("-d", "link", "show", "dev", name).Single()!;

    [Fact]
    public void Creates_bridge_veth_and_macvlan_links()
    {
        _rtnl.CreateBridge("br-t");
        _rtnl.CreateVeth("ve-a", "ve-b");
        _rtnl.CreateMacvlan("mv-t", _rtnl.RequireLink("ve-a").Index, MacvlanMode.Bridge);

        Assert.Equal("bridge", Link("br-t")["linkinfo"]!["info_kind"]!.GetValue<string>());
        Assert.Equal("veth", Link("ve-a")["linkinfo"]!["info_kind"]!.GetValue<string>());
        Assert.Equal("ve-a", Link("ve-b")["link"]?.GetValue<string>() ?? "ve-a");
        var mv = Link("mv-t");
        Assert.Equal("macvlan", mv["linkinfo"]!["info_kind"]!.GetValue<string>());
        Assert.Equal("bridge", mv["linkinfo"]!["info_data"]!["mode"]!.GetValue<string>());
        Assert.Equal("ve-a", mv["link"]!.GetValue<string>());

        // Our own dump agrees with iproute2's on names, indexes and kinds.
        var ours = _rtnl.Links().ToDictionary(l => l.Name);
        foreach (var l in _ns.IpJson("-d", "link", "show"))
        {
            var mine = ours[l!["ifname"]!.GetValue<string>()];
            Assert.Equal(l["ifindex"]!.GetValue<int>(), mine.Index);
            Assert.Equal(l["linkinfo"]?["info_kind"]?.GetValue<string>(), mine.Kind);
        }
    }

    [Fact]
    public void Sets_state_mtu_mac_master_and_alias()
    {
        _rtnl.CreateBridge("br-t");
        _rtnl.CreateVeth("ve-a", "ve-b");
        var port = _rtnl.RequireLink("ve-a");
        var bridge = _rtnl.RequireLink("br-t");
        _rtnl.SetMtu(port.Index, 1400, "ve-a");
        _rtnl.SetMac(port.Index, "02:00:00:00:00:17", "ve-a");
        _rtnl.SetAlias(port.Index, "cpe:ge-0/0/1", "ve-a");
        _rtnl.SetMaster(port.Index, bridge.Index, "ve-a");
        _rtnl.SetAdminState(port.Index, true, "ve-a");

        var shown = Link("ve-a");
        Assert.Equal(1400, shown["mtu"]!.GetValue<int>());
        Assert.Equal("02:00:00:00:00:17", shown["address"]!.GetValue<string>());
        Assert.Equal("cpe:ge-0/0/1", shown["ifalias"]!.GetValue<string>());
        Assert.Equal("br-t", shown["master"]!.GetValue<string>());
        Assert.Contains("UP", shown["flags"]!.AsArray().Select(f => f!.GetValue<string>()));

        var mine = _rtnl.RequireLink("ve-a");
        Assert.Equal((1400u, "02:00:00:00:00:17", "cpe:ge-0/0/1", bridge.Index, true), (mine.Mtu, mine.Mac, mine.Alias, mine.Master, mine.AdminUp));
        Assert.NotNull(mine.Statistics);

        _rtnl.SetMaster(port.Index, 0, "ve-a");
        _rtnl.SetAdminState(port.Index, false, "ve-a");
        Assert.Null(Link("ve-a")["master"]);
        Assert.DoesNotContain("UP", Link("ve-a")["flags"]!.AsArray().Select(f => f!.GetValue<string>()));
    }

    [Fact]
    public void Creates_a_persistent_tap_that_netlink_then_manages()
    {
        TapDevice.Create("tap-t", _ns.Path);
        var tap = Link("tap-t");
        Assert.Equal("tun", tap["linkinfo"]!["info_kind"]!.GetValue<string>());
        Assert.Equal("tap", tap["linkinfo"]!["info_data"]!["type"]!.GetValue<string>());
        Assert.Equal("tun", _rtnl.RequireLink("tap-t").Kind);
        _rtnl.SetMtu(_rtnl.RequireLink("tap-t").Index, 9000, "tap-t");
        Assert.Equal(9000, Link("tap-t")["mtu"]!.GetValue<int>());
        _rtnl.DeleteLink(_rtnl.RequireLink("tap-t").Index, "tap-t");
        Assert.Null(_rtnl.Link("tap-t"));
    }

    [Fact]
    public void Deletes_links_and_reports_missing_ones_as_null()
    {
        _rtnl.CreateBridge("br-t");
        _rtnl.DeleteLink(_rtnl.RequireLink("br-t").Index, "br-t");
        Assert.Empty(_ns.IpJson("link", "show", "type", "bridge"));
        Assert.Null(_rtnl.Link("br-t"));
    }

    [Fact]
    public void Errors_carry_errno_request_and_object()
    {
        _rtnl.CreateBridge("br-t");
        var e = Assert.Throws<NetlinkException>(() => _rtnl.CreateBridge("br-t"));
        Assert.Equal(NetlinkException.EEXIST, e.Errno);
        Assert.Equal("RTM_NEWLINK", e.Request);
        Assert.StartsWith("RTM_NEWLINK br-t: File exists (errno 17)", e.Message);
        var gone = Assert.Throws<NetlinkException>(() => _rtnl.SetMtu(99999, 1500, "ghost"));
        Assert.Equal(NetlinkException.ENODEV, gone.Errno);
    }

    [Fact]
    public void Adds_dumps_and_deletes_addresses_and_routes()
    {
        _rtnl.CreateBridge("br-t");
        var br = _rtnl.RequireLink("br-t");
        _rtnl.SetAdminState(br.Index, true, "br-t");
        _rtnl.AddAddress(br.Index, IPAddress.Parse("192.0.2.1"), 24);
        _rtnl.AddAddress(br.Index, IPAddress.Parse("2001:db8::1"), 64);
        _rtnl.AddRoute(IPAddress.Parse("198.51.100.0"), 24, IPAddress.Parse("192.0.2.254"));
        _rtnl.AddRoute(IPAddress.Parse("203.0.113.0"), 24, null, br.Index);

        var addrs = _ns.IpJson("addr", "show", "dev", "br-t").Single()!["addr_info"]!.AsArray()
            .Select(a => $"{a!["local"]}/{a["prefixlen"]}").ToList();
        Assert.Contains("192.0.2.1/24", addrs);
        Assert.Contains("2001:db8::1/64", addrs);
        Assert.Contains(_rtnl.Addresses(), a => a.Index == br.Index && a.Address.Equals(IPAddress.Parse("192.0.2.1")) && a.PrefixLength == 24);

        var routes = _ns.IpJson("route", "show");
        Assert.Contains(routes, r => r!["dst"]!.GetValue<string>() == "198.51.100.0/24" && r["gateway"]?.GetValue<string>() == "192.0.2.254");
        Assert.Contains(routes, r => r!["dst"]!.GetValue<string>() == "203.0.113.0/24" && r["scope"]?.GetValue<string>() == "link");
        Assert.Contains(_rtnl.Routes(), r => r.Destination.Equals(IPAddress.Parse("198.51.100.0")) && r.PrefixLength == 24
            && Equals(r.Gateway, IPAddress.Parse("192.0.2.254")) && r.Table == 254);

        _rtnl.DeleteRoute(IPAddress.Parse("198.51.100.0"), 24, IPAddress.Parse("192.0.2.254"));
        _rtnl.DeleteAddress(br.Index, IPAddress.Parse("192.0.2.1"), 24);
        Assert.DoesNotContain(_ns.IpJson("route", "show"), r => r!["dst"]!.GetValue<string>() == "198.51.100.0/24");
        Assert.DoesNotContain(_rtnl.Addresses(), a => a.Address.Equals(IPAddress.Parse("192.0.2.1")));
    }

    [Fact]
    public void Moves_a_link_into_another_namespace_by_fd()
    {
        using var other = new TestNamespace();
        _rtnl.CreateVeth("ve-a", "ve-b");
        using (var fd = File.OpenHandle(other.Path))
            _rtnl.MoveToNamespace(_rtnl.RequireLink("ve-b").Index, (int)fd.DangerousGetHandle(), "ve-b");
        Assert.Null(_rtnl.Link("ve-b"));
        Assert.Single(other.IpJson("link", "show", "dev", "ve-b"));
    }

    [Fact]
    public void A_dump_of_many_links_spans_several_messages()
    {
        for (int i = 0; i < 60; i++) _rtnl.CreateVeth($"va{i}", $"vb{i}");
        Assert.Equal(_ns.IpJson("link", "show").Count, _rtnl.Links().Count);
        Assert.Equal(121, _rtnl.Links().Count);   // lo + 120 veth ends: more than one 64 KiB-or-less datagram
    }

    [Fact]
    public void Read_requests_are_not_counted_as_writes()
    {
        _rtnl.Links();
        _rtnl.Link("lo");
        _rtnl.Addresses();
        _rtnl.Routes();
        Assert.Equal(0, _rtnl.Socket.WriteRequests);
        _rtnl.CreateBridge("br-t");
        Assert.Equal(1, _rtnl.Socket.WriteRequests);
    }

    (int Bridge, int Port) BridgeWithPort()
    {
        _rtnl.CreateBridge("br-t");
        _rtnl.CreateVeth("ve-a", "ve-b");
        var bridge = _rtnl.RequireLink("br-t").Index;
        var port = _rtnl.RequireLink("ve-a").Index;
        _rtnl.SetMaster(port, bridge, "ve-a");
        return (bridge, port);
    }

    [Fact]
    public void Adds_dumps_and_deletes_static_fdb_entries()
    {
        var (bridge, port) = BridgeWithPort();
        _rtnl.AddStaticFdb(port, "02:00:00:00:00:aa", "ve-a");
        var shown = _ns.BridgeJson("fdb", "show", "dev", "ve-a");
        Assert.Contains(shown, e => e!["mac"]!.GetValue<string>() == "02:00:00:00:00:aa" && e["state"]?.GetValue<string>() == "static");
        Assert.Contains(_rtnl.Fdb(), e => e.Mac == "02:00:00:00:00:aa" && e.PortIndex == port && e.Master == bridge && e.Static);
        _rtnl.DeleteStaticFdb(port, "02:00:00:00:00:aa", "ve-a");
        Assert.DoesNotContain(_ns.BridgeJson("fdb", "show", "dev", "ve-a"), e => e!["mac"]!.GetValue<string>() == "02:00:00:00:00:aa");
    }

    [Fact]
    public void Sets_bridge_port_flags()
    {
        var (_, port) = BridgeWithPort();
        _rtnl.SetPortFlags(port, learning: false, flood: false, "ve-a");
        var slave = Link("ve-a")["linkinfo"]!["info_slave_data"]!;
        Assert.False(slave["learning"]!.GetValue<bool>());
        Assert.False(slave["flood"]!.GetValue<bool>());
        _rtnl.SetPortFlags(port, learning: true, flood: null, "ve-a");
        slave = Link("ve-a")["linkinfo"]!["info_slave_data"]!;
        Assert.True(slave["learning"]!.GetValue<bool>());
        Assert.False(slave["flood"]!.GetValue<bool>());
    }

    [Fact]
    public void Vlan_filtering_works_or_is_refused_clearly_by_kernels_without_it()
    {
        var (bridge, port) = BridgeWithPort();
        try
        {
            _rtnl.SetVlanFiltering(bridge, true, "br-t");
        }
        catch (NetlinkException e)
        {
            // This machine's kernel is built without bridge VLAN filtering (the kernel lab has it).
            Assert.Equal(NetlinkException.EOPNOTSUPP, e.Errno);
            Assert.StartsWith("RTM_NEWLINK br-t: Operation not supported", e.Message);
            return;
        }
        Assert.Equal(1, Link("br-t")["linkinfo"]!["info_data"]!["vlan_filtering"]!.GetValue<int>());
        _rtnl.AddVlan(port, new PortVlan(10, Pvid: true, Untagged: true), "ve-a");
        var vlans = _ns.BridgeJson("vlan", "show", "dev", "ve-a").Single()!["vlans"]!.AsArray();
        Assert.Contains(vlans, v => v!["vlan"]!.GetValue<int>() == 10 && v["flags"]!.AsArray().Count == 2);
        Assert.Contains(new PortVlan(10, true, true), _rtnl.Vlans()[port]);
        _rtnl.DeleteVlan(port, 10, "ve-a");
        Assert.DoesNotContain(new PortVlan(10, true, true), _rtnl.Vlans().GetValueOrDefault(port) ?? []);
    }
}
