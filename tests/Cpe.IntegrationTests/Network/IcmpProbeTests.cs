using System.Net;
using Cpe.Netlink;
using Cpe.Network.Diagnostics;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Network;

/// <summary>
/// The echo probes ping and traceroute are made of, against the real kernel: a host namespace, a router namespace
/// and a far namespace, wired with veth pairs by iproute2. Replies, a router's time-exceeded and net-unreachable,
/// timeouts, IPv6, and the ARP cache read by our rtnetlink code next to iproute2's.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class IcmpProbeTests : IDisposable
{
    readonly TestNamespace _host = new(), _router = new(), _far = new();

    public IcmpProbeTests()
    {
        try
        {
            _host.Ip("link", "add", "va", "type", "veth", "peer", "name", "ra", "netns", _router.Name);
            _router.Ip("link", "add", "rb", "type", "veth", "peer", "name", "vb", "netns", _far.Name);
            foreach (var (ns, dev, v4, v6) in new[] { (_host, "va", "10.1.0.2/24", "fd01::2/64"), (_router, "ra", "10.1.0.1/24", "fd01::1/64"),
                (_router, "rb", "10.2.0.1/24", "fd02::1/64"), (_far, "vb", "10.2.0.2/24", "fd02::2/64") })
            {
                // No duplicate address detection, on the link-local address either: a tentative one holds up neighbour discovery for a second or two.
                TestNamespace.Run("ip", "netns", "exec", ns.Name, "sysctl", "-q", "-w", $"net.ipv6.conf.{dev}.accept_dad=0");
                ns.Ip("addr", "add", v4, "dev", dev);
                ns.Ip("-6", "addr", "add", v6, "dev", dev, "nodad");
                ns.Ip("link", "set", dev, "up");
                ns.Ip("link", "set", "lo", "up");
            }
            _host.Ip("route", "add", "default", "via", "10.1.0.1");
            _host.Ip("-6", "route", "add", "default", "via", "fd01::1");
            _far.Ip("route", "add", "default", "via", "10.2.0.1");
            _far.Ip("-6", "route", "add", "default", "via", "fd02::1");
            // The router forwards and answers errors without rate limits (the tests send them in bursts). The ratelimit
            // sysctls only lift the per-destination limit; errors of the types in the ratemask also draw on the kernel's
            // one host-wide budget (icmp_msgs_per_sec, shared by every namespace: other tests running at the same time
            // spent it, and a net-unreachable went missing in CI), so the ratemask is emptied too.
            TestNamespace.Run("ip", "netns", "exec", _router.Name, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1",
                "net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0", "net.ipv4.icmp_ratemask=0", "net.ipv6.icmp.ratemask=");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _host.Dispose();
        _router.Dispose();
        _far.Dispose();
    }

    Task<ProbeAnswer> Probe(string destination, ushort sequence = 1, int? ttl = null, int waitMs = 2000, string? source = null, string? device = null, ushort identifier = 0x5151) =>
        IcmpProbe.SendAsync(new ProbeRequest(IPAddress.Parse(destination), identifier, sequence, 56, TimeSpan.FromMilliseconds(waitMs), ttl,
            source is null ? null : IPAddress.Parse(source), device, NamespacePath: _host.Path), CancellationToken.None);

    [Fact]
    public async Task A_host_behind_a_router_replies_with_the_TTL_one_hop_lower_and_IPv6_too()
    {
        var v4 = await Probe("10.2.0.2");
        Assert.Equal((ProbeOutcome.Reply, "10.2.0.2", 64, 63), (v4.Outcome, v4.From!.ToString(), v4.Bytes, v4.Ttl));
        Assert.True(v4.RoundTrip > TimeSpan.Zero && v4.RoundTrip < TimeSpan.FromSeconds(2), $"{v4.RoundTrip}");
        var v6 = await Probe("fd02::2");
        Assert.Equal((ProbeOutcome.Reply, "fd02::2", 64), (v6.Outcome, v6.From!.ToString(), v6.Bytes));
    }

    [Fact]
    public async Task A_TTL_of_one_gets_the_routers_time_exceeded_and_a_destination_it_has_no_route_to_gets_net_unreachable()
    {
        var hop = await Probe("10.2.0.2", ttl: 1);
        Assert.Equal((ProbeOutcome.TimeExceeded, "10.1.0.1", "time to live exceeded"), (hop.Outcome, hop.From!.ToString(), hop.Detail));
        var hop6 = await Probe("fd02::2", ttl: 1);
        Assert.Equal((ProbeOutcome.TimeExceeded, "fd01::1"), (hop6.Outcome, hop6.From!.ToString()));
        var nowhere = await Probe("203.0.113.9");
        Assert.Equal((ProbeOutcome.Unreachable, "10.1.0.1", "!N"), (nowhere.Outcome, nowhere.From!.ToString(), nowhere.Flag));
    }

    [Fact]
    public async Task Nobody_at_the_address_is_a_timeout_after_the_wait_and_concurrent_probes_keep_their_own_answers()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var none = await Probe("10.1.0.77", waitMs: 300);
        Assert.Equal(ProbeOutcome.Timeout, none.Outcome);
        Assert.InRange(watch.ElapsedMilliseconds, 290, 2000);

        // Every raw socket of the namespace sees every reply: each probe takes only its own identifier's.
        var both = await Task.WhenAll(Probe("10.2.0.2", sequence: 1, identifier: 1), Probe("10.1.0.1", sequence: 1, identifier: 2), Probe("10.2.0.2", ttl: 1, identifier: 3));
        Assert.Equal(["10.2.0.2", "10.1.0.1", "10.1.0.1"], both.Select(a => a.From!.ToString()));
        Assert.Equal([ProbeOutcome.Reply, ProbeOutcome.Reply, ProbeOutcome.TimeExceeded], both.Select(a => a.Outcome));
    }

    [Fact]
    public async Task A_source_address_or_device_that_is_not_there_is_refused_and_one_that_is_is_used()
    {
        var bad = await Assert.ThrowsAsync<ProbeException>(() => Probe("10.2.0.2", source: "192.0.2.99"));
        Assert.Contains("source 192.0.2.99", bad.Message);
        var noDevice = await Assert.ThrowsAsync<ProbeException>(() => Probe("10.2.0.2", device: "nosuch0"));
        Assert.Contains("interface nosuch0", noDevice.Message);
        Assert.Equal(ProbeOutcome.Reply, (await Probe("10.2.0.2", source: "10.1.0.2", device: "va")).Outcome);
    }

    [Fact]
    public async Task The_neighbour_cache_read_over_rtnetlink_matches_iproute2()
    {
        Assert.Equal(ProbeOutcome.Reply, (await Probe("10.1.0.1")).Outcome);
        _host.Ip("neigh", "add", "10.1.0.50", "lladdr", "02:00:00:00:00:50", "dev", "va", "nud", "permanent");
        using var rtnl = RouteNetlink.OpenIn(_host.Path);
        var ours = rtnl.Neighbours().Where(n => !n.NoArp).ToDictionary(n => n.Address.ToString());
        var theirs = _host.IpJson("neigh", "show");
        Assert.NotEmpty(theirs);
        foreach (var n in theirs)
        {
            var mine = ours[n!["dst"]!.GetValue<string>()];
            Assert.Equal(n["lladdr"]?.GetValue<string>(), mine.Mac);
            Assert.Equal(string.Join('/', n["state"]!.AsArray().Select(s => s!.GetValue<string>().ToLowerInvariant())), mine.StateName);
        }
        Assert.Equal("permanent", ours["10.1.0.50"].StateName);
        Assert.Equal("02:00:00:00:00:50", ours["10.1.0.50"].Mac);
        Assert.Contains("10.1.0.1", ours.Keys);
    }
}
