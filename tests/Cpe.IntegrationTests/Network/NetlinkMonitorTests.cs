using System.Net;
using Cpe.Netlink;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Network;

/// <summary>Kernel notifications of link and address changes, as front-port carrier alarms will use them.</summary>
[Trait("Kind", "Integration")]
public sealed class NetlinkMonitorTests : IDisposable
{
    readonly TestNamespace _ns = new();
    readonly RouteNetlink _rtnl;
    readonly NetlinkMonitor _monitor;

    public NetlinkMonitorTests()
    {
        _rtnl = RouteNetlink.OpenIn(_ns.Path);
        _monitor = NetlinkMonitor.Open(_ns.Path);
    }

    public void Dispose()
    {
        _monitor.Dispose();
        _rtnl.Dispose();
        _ns.Dispose();
    }

    async Task<T> Next<T>(Func<T, bool> match) where T : NetlinkEvent
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var e in _monitor.Events.ReadAllAsync(cts.Token))
            if (e is T t && match(t)) return t;
        throw new InvalidOperationException("the monitor stopped");
    }

    [Fact]
    public async Task Carrier_follows_the_far_end_of_a_veth()
    {
        _rtnl.CreateVeth("ge-t0", "peer-t0");
        var port = _rtnl.RequireLink("ge-t0");
        var peer = _rtnl.RequireLink("peer-t0");
        _rtnl.SetAdminState(port.Index, true, "ge-t0");
        _rtnl.SetAdminState(peer.Index, true, "peer-t0");
        await Next<NetlinkEvent.LinkChanged>(e => e.Link.Name == "ge-t0" && e.Link.Carrier);

        _rtnl.SetAdminState(peer.Index, false, "peer-t0");   // the cable is pulled at the far end
        var down = await Next<NetlinkEvent.LinkChanged>(e => e.Link.Name == "ge-t0" && !e.Link.Carrier);
        Assert.True(down.Link.AdminUp);
    }

    [Fact]
    public async Task Address_and_removal_events_arrive()
    {
        _rtnl.CreateBridge("br-t");
        var br = _rtnl.RequireLink("br-t");
        _rtnl.AddAddress(br.Index, IPAddress.Parse("192.0.2.1"), 24);
        var added = await Next<NetlinkEvent.AddressAdded>(e => e.Address.Index == br.Index);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), added.Address.Address);
        _rtnl.DeleteLink(br.Index, "br-t");
        var removed = await Next<NetlinkEvent.LinkRemoved>(e => e.Index == br.Index);
        Assert.Equal("br-t", removed.Name);
        Assert.Equal(0, _monitor.Malformed);
    }
}
