using System.Threading.Channels;
using Cpe.Netlink;
using Cpe.Network.Dhcp;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Network;

/// <summary>
/// The lease keeper on its timers against the simulated WAN's dnsmasq: bound, renewed at T1, saved,
/// and lost at expiry once no server answers. Time is a manual clock; the exchanges are real.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class DhcpKeeperTests : IDisposable
{
    readonly SimBoard _sim = new(lanPorts: 1, totalVfs: 0);
    public void Dispose() => _sim.Dispose();

    [Fact]
    public async Task Renews_at_T1_keeps_the_lease_on_disk_and_loses_it_at_expiry_when_no_server_answers()
    {
        string box = $"/run/netns/{_sim.Box}";
        using var rtnl = RouteNetlink.OpenIn(box);
        var port = rtnl.RequireLink("ge-0-0-0");
        rtnl.SetAdminState(port.Index, true, port.Name);
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        string leasePath = Path.Combine(_sim.Directory, "lease.json");
        var changes = Channel.CreateUnbounded<DhcpLease?>();
        await using var keeper = new DhcpKeeper(port.Name, RtnlParser.ParseMac(port.Mac!), leasePath, () => DhcpPacketSocket.Open(port.Index, box), clock)
        {
            FirstWait = TimeSpan.FromMilliseconds(200), Attempts = 2, RetryWait = TimeSpan.FromSeconds(1),
        };
        bool addressed = false;
        keeper.LeaseChanged = lease =>
        {
            // What cped's reconciler does with a new lease: the address goes on the port (renewals are unicast to it).
            if (lease is not null && !addressed) { rtnl.AddAddress(port.Index, lease.Address, lease.PrefixLength); addressed = true; }
            changes.Writer.TryWrite(lease);
        };
        keeper.Start();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        // The next lease change, moving the manual clock by `step` while none comes: a retry after a lost
        // packet (a busy machine) waits on that clock too.
        async Task<DhcpLease?> Next(TimeSpan step, HashSet<DhcpState>? seen = null)
        {
            var read = changes.Reader.ReadAsync(timeout.Token).AsTask();
            while (!read.IsCompleted)
            {
                await Task.WhenAny(read, Task.Delay(300, timeout.Token));
                seen?.Add(keeper.State);
                if (!read.IsCompleted) clock.Advance(step);
            }
            return await read;
        }

        var first = (await Next(TimeSpan.FromSeconds(2)))!;
        Assert.Equal(DhcpState.Bound, keeper.State);
        Assert.Equal(TimeSpan.FromSeconds(3600), first.LeaseTime);

        clock.Advance(first.RenewAfter + TimeSpan.FromSeconds(1));
        var renewed = (await Next(TimeSpan.FromSeconds(2)))!;
        Assert.Equal(first.Address, renewed.Address);
        Assert.True(renewed.ObtainedAt > first.ObtainedAt, "the renewed lease starts at the renewal");
        Assert.Equal(renewed.ObtainedAt, DhcpLeaseFile.Load(leasePath)!.ObtainedAt);

        // The server goes away: renewing and rebinding fail, and the lease runs out.
        var dnsmasq = System.Diagnostics.Process.GetProcessById(int.Parse(File.ReadAllText(Path.Combine(_sim.Directory, "dnsmasq.pid")).Trim()));
        dnsmasq.Kill();
        await dnsmasq.WaitForExitAsync(timeout.Token);
        var states = new HashSet<DhcpState>();
        Assert.Null(await Next(TimeSpan.FromMinutes(5), states));
        Assert.Contains(DhcpState.Rebinding, states);
        Assert.False(File.Exists(leasePath));
        Assert.Null(keeper.Lease);
    }
}
