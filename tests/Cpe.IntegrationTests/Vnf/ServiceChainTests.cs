using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cpe.Api;
using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>
/// The acceptance chain on the simulated board, run by cped from the built, signed sample packages: LAN host →
/// ge-0/0/1 → firewall (two replicas) → NAT → ge-0/0/0 → WAN host. Admission refuses what does not fit; ICMP and TCP
/// reach the WAN; 100 flows each meet one firewall replica both ways (a stateful firewall drops the answers of a flow it
/// did not see leave); unsolicited inbound is dropped; cped killed with -9 leaves the VNFs and the traffic running.
/// </summary>
[Collection(nameof(VnfChainCollection))]
[Trait("Kind", "Integration")]
public sealed class ServiceChainTests(ITestOutputHelper output) : IAsyncLifetime
{
    readonly ChainLab _lab = new();

    const string Vnfs = "configure; "
        + "set vnfs vnf fw package firewall replicas 2 cpus 40; "
        + "set vnfs vnf nat package nat cpus 0.2 memory 48M; "
        + "set vnfs vnf nat environment NAT_INSIDE_IP=192.168.50.1; "
        + "set vnfs vnf nat environment NAT_OUTSIDE_IP=192.0.2.200; "
        + "set vnfs vnf nat environment NAT_OUTSIDE_PREFIX=24; "
        + "set chains chain inet ingress ge-0/0/1 egress ge-0/0/0 hop fw; set chains chain inet hop nat; ";

    public async Task InitializeAsync()
    {
        try
        {
            _lab.AddressLanHost();
            await _lab.StartCpedAsync();
        }
        catch
        {
            await _lab.DisposeAsync();
            throw;
        }
    }

    public Task DisposeAsync() => _lab.DisposeAsync().AsTask();

    async Task AddPackagesAsync()
    {
        var added = await _lab.Cli($"request vnf package add {ChainLab.Package("firewall")}; request vnf package add {ChainLab.Package("nat")}; show vnf package");
        Assert.Equal(0, added.ExitCode);
        Assert.Contains("firewall:0.1.0 added", added.Output);
        Assert.Contains("nat:0.1.0 added", added.Output);
        Assert.Contains("signed by CN=", added.Output);
    }

    async Task<VnfInstanceInfo[]> CommitChainAsync(string extra = "")
    {
        // Two firewalls asking for 40 cores each do not fit: commit check says what is short, and by how much.
        var check = await _lab.Cli(Vnfs + "commit check");
        Assert.Contains("the VNFs need 80.2 cores", check.Output + check.Error);
        Assert.Contains("short", check.Output + check.Error);
        var commit = await _lab.Cli(Vnfs + "set vnfs vnf fw cpus 0.2; " + extra + "commit");
        Assert.True(commit.ExitCode == 0 && commit.Output.Contains("commit complete"), commit.Output + commit.Error + _lab.Cped.Log());
        return await _lab.WaitForVnfsAsync(v => v.Length == 3 && v.All(i => i.State == "running"), "three VNF instances running");
    }

    [Fact]
    public async Task The_lan_reaches_the_wan_through_firewall_replicas_and_nat_and_the_chain_survives_cped_being_killed()
    {
        await AddPackagesAsync();
        var before = await CommitChainAsync();
        Assert.Equal(["fw-0", "fw-1", "nat-0"], before.Select(v => v.Instance));
        // Each instance's process sits in its own cgroup under the parent cped was given.
        foreach (var v in before)
            Assert.Contains($"{_lab.CgroupParent}/{v.Instance}", File.ReadAllText($"/proc/{v.Pid}/cgroup"));

        Assert.True(PingsWithin(5), "ping LAN → WAN through the chain\n" + _lab.Cped.Log());
        int flows = await EchoFlowsAsync(100);
        Assert.Equal(100, flows);

        await using (var api = await _lab.Cped.ConnectAsync())
        {
            var chain = (await api.ChainsAsync()).Single();
            Assert.Equal(("inet", "ge-0/0/1", "ge-0/0/0", "fail-closed", "all"), (chain.Name, chain.Ingress, chain.Egress, chain.Bypass, chain.Match));
            var firewalls = chain.Hops[0].Replicas;
            foreach (var r in firewalls)
                output.WriteLine($"{r.Instance}: forward in {r.ForwardIn} out {r.ForwardOut}, return in {r.ReturnIn} out {r.ReturnOut}");
            // Both replicas carried flows, and what each let out it also got back.
            Assert.All(firewalls, r => Assert.True(r.ForwardIn > 50 && r.ReturnIn > 50 && r.ReturnOut > 50, $"{r.Instance} carried little: {r}"));
            // At least SYN, ACK, data and FIN of each of the 100 flows went into a firewall.
            Assert.InRange(firewalls.Sum(r => r.ForwardIn), 400, 5000);
        }
        var shown = await _lab.Cli("show chain inet; show vnf; show vnf fw detail; show vnf nat log");
        output.WriteLine(shown.Output);
        Assert.Contains("Chain: inet, ge-0/0/1 -> ge-0/0/0, match all, bypass fail-closed", shown.Output);
        Assert.Contains("nat-0", shown.Output);
        Assert.Contains("Limits: 0.2 CPU, 64 MiB memory, 16 processes", shown.Output);
        Assert.Contains("nat: forwarding between in and out", shown.Output);

        // Field tools from inside a VNF: a probe made in its namespace (its loopback answers), one replica at a time.
        var inside = await _lab.Cli("ping 127.0.0.1 vnf nat-0 count 1");
        Assert.True(inside.Output.Contains("1 packets transmitted, 1 packets received"), inside.ToString());
        var replicas = await _lab.Cli("ping 127.0.0.1 vnf fw count 1");
        Assert.Contains("fw has 2 replicas; name one of fw-0, fw-1", replicas.Error);

        // Unsolicited: to the NAT's outside address, and straight to the LAN host's address.
        _lab.Wan.Ip("route", "add", "192.168.50.0/24", "via", "192.0.2.200");
        Assert.False(await WireLab.TcpWorksAsync(_lab.Wan, _lab.Lan, "192.0.2.200", 7201, TimeSpan.FromSeconds(2)), "inbound to the outside address");
        Assert.False(await WireLab.TcpWorksAsync(_lab.Wan, _lab.Lan, "192.168.50.10", 7202, TimeSpan.FromSeconds(2)), "inbound to the LAN host");
        Assert.False(WireLab.Pings(_lab.Wan, "192.168.50.10"), "ping WAN → LAN");

        // cped killed with -9 and started again: the same VNF processes, and traffic through the chain barely pauses.
        var gap = await LongestGapAsync(async () =>
        {
            await _lab.Cped.KillAsync();
            await Task.Delay(300);
            await _lab.StartCpedAsync();
            await _lab.WaitForVnfsAsync(v => v.Length == 3 && v.All(i => i.State == "running"), "VNFs adopted");
        });
        output.WriteLine($"longest gap in a 2 ms UDP stream through the chain while cped was killed and restarted: {gap.TotalMilliseconds:0} ms");
        Assert.True(gap < TimeSpan.FromSeconds(1), $"traffic paused {gap.TotalMilliseconds:0} ms");
        var after = await _lab.WaitForVnfsAsync(v => v.Length == 3, "VNFs listed");
        Assert.Equal(before.Select(v => v.Pid), after.Select(v => v.Pid));
        Assert.Contains("adopted running VNF", _lab.Cped.Log());

        // Removing the configuration stops the VNFs and removes their namespaces.
        var removed = await _lab.Cli("configure; delete chains; delete vnfs; commit");
        Assert.Contains("commit complete", removed.Output);
        Assert.Empty(await _lab.WaitForVnfsAsync(v => v.Length == 0, "VNFs removed"));
        Assert.All(before, v => Assert.False(Directory.Exists($"/proc/{v.Pid}"), $"{v.Instance} still runs"));
        Assert.Empty(Directory.GetFiles("/run/netns", _lab.Id + "-*"));
    }

    [Fact]
    public async Task A_stopped_hop_drops_the_chain_s_traffic_when_fail_closed_and_is_skipped_when_fail_open()
    {
        await AddPackagesAsync();
        await CommitChainAsync();
        Assert.True(PingsWithin(5), "ping through the whole chain");

        Assert.Equal(0, (await _lab.Cli("request vnf stop fw")).ExitCode);
        await _lab.WaitForVnfsAsync(v => v.Where(i => i.Vnf == "fw").All(i => i.State == "stopped"), "firewalls stopped");
        await Task.Delay(200);
        Assert.False(WireLab.Pings(_lab.Lan, "192.0.2.1"), "fail-closed: nothing passes while the firewall is down");
        var shown = await _lab.Cli("show chain");
        Assert.Contains("fw has no replica running: traffic dropped", shown.Output);

        // A commit starts what the configuration runs; admin-state down keeps the firewall stopped.
        var open = await _lab.Cli("configure; set vnfs vnf fw admin-state down; set chains chain inet bypass fail-open; commit");
        Assert.Contains("commit complete", open.Output);
        await Task.Delay(200);
        Assert.True(PingsWithin(5), "fail-open: the firewall hop is skipped");
        Assert.Contains("fw has no replica running: bypassed", (await _lab.Cli("show chain")).Output);
        Assert.All((await _lab.WaitForVnfsAsync(v => v.Length == 3, "VNFs listed")).Where(v => v.Vnf == "fw"), v => Assert.Equal("stopped", v.State));

        Assert.Contains("commit complete", (await _lab.Cli("configure; delete vnfs vnf fw admin-state; commit")).Output);
        await _lab.WaitForVnfsAsync(v => v.All(i => i.State == "running"), "firewalls back");
        Assert.DoesNotContain("no replica running", (await _lab.Cli("show chain")).Output);
    }

    /// <summary>
    /// One ping at a time from the LAN host to the WAN host until one is answered. The first ones after a commit may go
    /// while the LAN host resolves its gateway and the NAT its WAN neighbour (a packet that finds no ARP entry is dropped).
    /// </summary>
    bool PingsWithin(int attempts) => Enumerable.Range(0, attempts).Any(_ => WireLab.Pings(_lab.Lan, "192.0.2.1"));

    /// <summary>Opens <paramref name="count"/> TCP connections from the LAN host to an echo server on the WAN host; returns how many echoed.</summary>
    async Task<int> EchoFlowsAsync(int count)
    {
        using var listener = await WireLab.SocketIn(_lab.Wan);
        listener.Bind(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 7100));
        listener.Listen(count);
        using var stop = new CancellationTokenSource();
        var server = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var accepted = await listener.AcceptAsync(stop.Token);
                _ = Task.Run(async () =>
                {
                    using (accepted)
                    {
                        var buffer = new byte[64];
                        int n = await accepted.ReceiveAsync(buffer);
                        await accepted.SendAsync(buffer.AsMemory(0, n));
                    }
                });
            }
        });
        int echoed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 10 }, async (i, _) =>
        {
            using var client = await WireLab.SocketIn(_lab.Lan);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await client.ConnectAsync(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 7100), timeout.Token);
                await client.SendAsync(System.Text.Encoding.ASCII.GetBytes($"flow {i}"), timeout.Token);
                var reply = new byte[64];
                int n = await client.ReceiveAsync(reply, timeout.Token);
                if (System.Text.Encoding.ASCII.GetString(reply, 0, n) == $"flow {i}") Interlocked.Increment(ref echoed);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException) { output.WriteLine($"flow {i}: {e.Message}"); }
        });
        stop.Cancel();
        try { await server; } catch (OperationCanceledException) { }
        return echoed;
    }

    /// <summary>A UDP datagram every 2 ms from the LAN host to the WAN host while <paramref name="disturb"/> runs: the longest silence at the WAN.</summary>
    async Task<TimeSpan> LongestGapAsync(Func<Task> disturb)
    {
        using var receiver = await WireLab.SocketIn(_lab.Wan, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 7300));
        using var sender = await WireLab.SocketIn(_lab.Lan, SocketType.Dgram, ProtocolType.Udp);
        using var stop = new CancellationTokenSource();
        var arrivals = new List<long>();
        var receive = Task.Run(async () =>
        {
            var buffer = new byte[16];
            while (!stop.IsCancellationRequested)
            {
                try { await receiver.ReceiveAsync(buffer, stop.Token); }
                catch (OperationCanceledException) { break; }
                lock (arrivals) arrivals.Add(Stopwatch.GetTimestamp());
            }
        });
        var send = Task.Run(async () =>
        {
            var target = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 7300);
            while (!stop.IsCancellationRequested)
            {
                await sender.SendToAsync(new byte[8], target);
                await Task.Delay(2);
            }
        });
        await Task.Delay(500);
        await disturb();
        await Task.Delay(500);
        stop.Cancel();
        await send;
        await receive;
        lock (arrivals)
        {
            Assert.True(arrivals.Count > 100, $"only {arrivals.Count} datagrams arrived");
            return TimeSpan.FromTicks(arrivals.Zip(arrivals.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b).Ticks).Max());
        }
    }
}

/// <summary>The chain tests run one at a time: each runs three VNFs and a cped on a 2-core machine.</summary>
[CollectionDefinition(nameof(VnfChainCollection), DisableParallelization = true)]
public sealed class VnfChainCollection;
