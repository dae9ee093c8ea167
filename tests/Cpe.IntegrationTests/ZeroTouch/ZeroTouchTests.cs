using Cpe.Api;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.ZeroTouch;

/// <summary>
/// The headline: a factory-fresh box on the simulated board provisions itself from the vendor server, nobody typing.
/// Real cped, real cpe-phonehome as an unprivileged user, real server over mTLS, real dnsmasq with option 143.
/// </summary>
public sealed class ZeroTouchTests : IAsyncLifetime
{
    ZeroTouchLab _lab = null!;

    public async Task InitializeAsync() => _lab = await ZeroTouchLab.StartAsync();
    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task A_factory_fresh_box_is_onboarded_without_anyone_typing()
    {
        _lab.Enroll(SiteBundle.Bundle(postScript: "#!/bin/sh\necho post-script ran as $(id -u)\n"));
        await _lab.PowerOnAsync();
        await _lab.Agent!.WaitForLineAsync(l => l.Contains("ZTP: bootstrap-complete", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "bootstrap-complete");

        // The server saw the whole RFC 8572 sequence, in order.
        string progress = _lab.Progress();
        string[] expected = ["bootstrap-initiated", "parsing-complete", "config-initiated", "config-complete", "post-script-initiated", "post-script-complete", "bootstrap-complete"];
        Assert.Equal(expected, progress.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[1].TrimEnd(':')).ToArray());
        Assert.Contains("post-script-complete: exit 0", progress);
        Assert.Contains("post-script ran as 65534", progress);

        // The configuration was committed through cped with source ztp; the kernel has the bridge and the VFs.
        await using var api = await _lab.Cped!.ConnectAsync();
        var history = await api.HistoryAsync();
        Assert.Equal(("ztp", "nobody"), (history[0].Source, history[0].Author));
        var bridge = (await api.BridgesAsync()).Single();
        Assert.Equal(["ge-0/0/1", "ge-0/0/2"], bridge.Ports.Select(p => p.Name).ToArray());
        Assert.Equal(2, (await api.SriovAsync()).Single().NumVfs);
        Assert.Equal("complete", (await api.ZtpStatusAsync()).State);

        // The LAN host reaches the WAN host through the box.
        _lab.OnLanHost("ip", "addr", "add", "192.168.1.10/24", "dev", "lan1");
        _lab.OnLanHost("ip", "route", "add", "default", "via", "192.168.1.1");
        string wanAddress = (await api.DhcpClientsAsync()).Single().Address!.Split('/')[0];
        Command.Run("ip", ["netns", "exec", _lab.Sim.Wan, "ip", "route", "add", "192.168.1.0/24", "via", wanAddress]);
        string ping = _lab.OnLanHost("ping", "-c", "1", "-W", "2", ZeroTouchLab.ServerAddress);
        Assert.Contains("1 received", ping);
    }
}
