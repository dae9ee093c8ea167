using Cpe.TestKit;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>
/// The sample firewall's program on real veths between a LAN and a WAN namespace (same subnet: it is a bump in the
/// wire): outbound ICMP and TCP pass with their answers, unsolicited inbound is dropped, an inbound rule opens a port.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class FirewallVnfTests : IDisposable
{
    readonly WireLab _lab = new();

    [Fact]
    public async Task Outbound_flows_and_their_answers_pass_and_unsolicited_inbound_is_dropped()
    {
        await _lab.StartAsync(Binaries.Vnf("firewall"), new Dictionary<string, string> { ["FW_RULES"] = "allow in tcp any 10.9.0.1 2222" });
        Assert.True(WireLab.Pings(_lab.Lan, "10.9.0.2"), "ping LAN → WAN");
        Assert.True(await WireLab.TcpWorksAsync(_lab.Lan, _lab.Wan, "10.9.0.2", 5000, TimeSpan.FromSeconds(5)), "TCP LAN → WAN");

        Assert.False(WireLab.Pings(_lab.Wan, "10.9.0.1"), "ping WAN → LAN must be dropped");
        Assert.False(await WireLab.TcpWorksAsync(_lab.Wan, _lab.Lan, "10.9.0.1", 5001, TimeSpan.FromSeconds(2)), "TCP WAN → LAN must be dropped");
        Assert.True(await WireLab.TcpWorksAsync(_lab.Wan, _lab.Lan, "10.9.0.1", 2222, TimeSpan.FromSeconds(5)), "the inbound rule opens port 2222");

        var output = await _lab.StopAsync();
        Assert.Contains(output, l => l.StartsWith("firewall: main ", StringComparison.Ordinal));
        Assert.Contains(output, l => l.EndsWith("; stopped", StringComparison.Ordinal));
    }

    public void Dispose() => _lab.Dispose();
}
