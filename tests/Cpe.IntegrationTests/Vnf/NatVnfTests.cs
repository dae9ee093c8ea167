using System.Net;
using System.Net.Sockets;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>
/// The sample NAT's program as the LAN's gateway on real veths: the LAN host reaches a WAN host by ping and TCP, the
/// WAN host sees the NAT's outside address and a translated port, the NAT answers ping on both its addresses, and
/// nothing reaches the LAN unasked.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class NatVnfTests : IDisposable
{
    readonly WireLab _lab = new("192.168.1.2/24", "203.0.113.1/24");

    [Fact]
    public async Task The_lan_reaches_the_wan_through_the_translation_and_the_wan_cannot_reach_in()
    {
        _lab.Lan.Ip("route", "add", "default", "via", "192.168.1.1");
        await _lab.StartAsync(Binaries.Vnf("nat"), new Dictionary<string, string>
        {
            ["NAT_INSIDE_IP"] = "192.168.1.1", ["NAT_OUTSIDE_IP"] = "203.0.113.10", ["NAT_OUTSIDE_PREFIX"] = "24",
        });
        Assert.True(WireLab.Pings(_lab.Lan, "192.168.1.1"), "the gateway answers ping");
        Assert.True(WireLab.Pings(_lab.Wan, "203.0.113.10"), "the outside address answers ping");
        // The first packet to a new WAN neighbour may go while its address is being resolved: a second ping must pass.
        Assert.True(WireLab.Pings(_lab.Lan, "203.0.113.1") || WireLab.Pings(_lab.Lan, "203.0.113.1"), "ping LAN → WAN");

        // TCP, and what the WAN host sees as its peer.
        using var listener = await WireLab.SocketIn(_lab.Wan);
        listener.Bind(new IPEndPoint(IPAddress.Parse("203.0.113.1"), 7000));
        listener.Listen();
        var accept = listener.AcceptAsync();
        using var client = await WireLab.SocketIn(_lab.Lan);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Parse("203.0.113.1"), 7000)).WaitAsync(TimeSpan.FromSeconds(5));
        using var accepted = await accept.WaitAsync(TimeSpan.FromSeconds(5));
        var peer = (IPEndPoint)accepted.RemoteEndPoint!;
        Assert.Equal("203.0.113.10", peer.Address.ToString());
        Assert.InRange(peer.Port, 20000, 59999);
        await client.SendAsync("hello"u8.ToArray());
        var buffer = new byte[16];
        Assert.Equal(5, await accepted.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        await accepted.SendAsync("world"u8.ToArray());
        Assert.Equal(5, await client.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));

        // Unasked: a connection to the outside address finds no translation (the LAN host listens on the port).
        Assert.False(await WireLab.TcpWorksAsync(_lab.Wan, _lab.Lan, "203.0.113.10", 7001, TimeSpan.FromSeconds(2)));
        var output = await _lab.StopAsync();
        Assert.Contains(output, l => l.EndsWith("; stopped", StringComparison.Ordinal));
    }

    public void Dispose() => _lab.Dispose();
}
