using Cpe.TestKit;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>The sample router's program between two networks on real veths: connected and static routes, TTL and time exceeded, ping of its own addresses.</summary>
[Trait("Kind", "Integration")]
public sealed class RouterVnfTests : IDisposable
{
    readonly WireLab _lab = new("10.1.0.2/24", "10.2.0.2/24");

    [Fact]
    public async Task Packets_are_routed_by_longest_prefix_with_the_ttl_decremented()
    {
        _lab.Lan.Ip("route", "add", "default", "via", "10.1.0.1");
        _lab.Wan.Ip("route", "add", "default", "via", "10.2.0.1");
        _lab.Wan.Ip("addr", "add", "172.16.1.1/32", "dev", "lo");   // a network behind the WAN host, reached by a static route
        await _lab.StartAsync(Binaries.Vnf("router"), new Dictionary<string, string>
        {
            ["ROUTER_ADDRESSES"] = "in=10.1.0.1/24,out=10.2.0.1/24",
            ["ROUTER_ROUTES"] = "172.16.0.0/12 via 10.2.0.2",
        });
        Assert.True(WireLab.Pings(_lab.Lan, "10.1.0.1"), "the router answers on its LAN address");
        // The first packet towards a next hop resolves it; the next ones go.
        WireLab.Pings(_lab.Lan, "10.2.0.2");
        string ping = Command.Run("ip", ["netns", "exec", _lab.Lan.Name, "ping", "-c", "1", "-W", "1", "10.2.0.2"], check: false);
        Assert.True(ping.Contains("ttl=63"), ping + string.Join('\n', _lab.Output));   // one hop: the WAN host's 64, minus one
        WireLab.Pings(_lab.Lan, "172.16.1.1");
        Assert.True(WireLab.Pings(_lab.Lan, "172.16.1.1"), "the static route");
        Assert.False(WireLab.Pings(_lab.Lan, "192.0.2.99"), "no route: dropped");
        string expired = Command.Run("ip", ["netns", "exec", _lab.Lan.Name, "ping", "-c", "1", "-t", "1", "-W", "1", "10.2.0.2"], check: false);
        Assert.True(expired.Contains("From 10.1.0.1 icmp_seq=1 Time to live exceeded"), expired);
        Assert.True(await WireLab.TcpWorksAsync(_lab.Lan, _lab.Wan, "10.2.0.2", 7100, TimeSpan.FromSeconds(5)), "TCP across");
        var output = await _lab.StopAsync();
        Assert.Contains(output, l => l.EndsWith("; stopped", StringComparison.Ordinal));
    }

    public void Dispose() => _lab.Dispose();
}
