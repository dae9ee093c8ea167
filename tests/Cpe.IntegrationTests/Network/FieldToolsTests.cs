using System.Diagnostics;
using Cpe.Api;
using Cpe.IntegrationTests.Platform;
using Cpe.Interop;
using Cpe.PacketIo.Linux;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Network;

/// <summary>
/// The technician's field tools on the simulated board (issue 16, item 3): ping and traceroute out of the WAN port to
/// the lease's router, Ctrl-C on a real terminal, the ARP cache next to iproute2's, the platform's log file and the
/// live log.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class FieldToolsTests() : SimBoardDaemonTest(new SimBoard(lanPorts: 2, totalVfs: 2))
{
    string LogFile => Path.Combine(Sim.Directory, "log", "messages");

    protected override IReadOnlyList<string> CpedArguments => ["--log-file", LogFile];

    /// <summary>The WAN lease gives the box its address and the router the tools talk to.</summary>
    protected override async Task SetUpAsync()
    {
        var watch = Stopwatch.StartNew();
        while (Sim.IpJson("route", "show", "default").Count == 0)
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(15)) throw new TimeoutException("no default route from the WAN lease within 15 s");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Ping_from_a_script_sends_five_and_counts_the_replies_and_an_interface_without_a_route_loses_them()
    {
        var ping = await Cpe("ping 192.0.2.1");
        Assert.True(ping.ExitCode == 0, ping.ToString());
        Assert.StartsWith("PING 192.0.2.1 (192.0.2.1): 56 data bytes\n", ping.Output);
        Assert.Equal(5, ping.Output.Split('\n').Count(l => l.StartsWith("64 bytes from 192.0.2.1: icmp_seq=", StringComparison.Ordinal) && l.Contains(" ttl=64 time=")));
        Assert.Contains("--- 192.0.2.1 ping statistics ---\n5 packets transmitted, 5 packets received, 0% packet loss\nround-trip min/avg/max/stddev = ", ping.Output);

        var rapid = await Cpe("ping 192.0.2.1 rapid count 3 size 1000");
        Assert.Contains("PING 192.0.2.1 (192.0.2.1): 1000 data bytes\n!!!\n", rapid.Output);

        // Out of a LAN port the WAN's router is not on-link: nothing comes back.
        var lan = await Cpe("ping 192.0.2.1 interface ge-0/0/1 count 2 wait 0.3");
        Assert.Contains("2 packets transmitted, 0 packets received, 100% packet loss", lan.Output);

        var bad = await Cpe("ping 192.0.2.1 count 0");
        Assert.Contains("'count' must be 1..1000000", bad.Error);
        var unknown = await Cpe("ping 192.0.2.1 bogus");
        Assert.Contains("'bogus' is not valid after 'ping 192.0.2.1'", unknown.Error);
        var source = await Cpe("ping 192.0.2.1 source 198.51.100.7 count 1");
        Assert.Contains("source 198.51.100.7", source.Error);
    }

    [Fact]
    public async Task Traceroute_ends_at_the_host_and_the_ARP_cache_shows_the_router_as_iproute2_does()
    {
        var trace = await Cpe("traceroute 192.0.2.1 wait 1");
        Assert.True(trace.ExitCode == 0, trace.ToString());
        var lines = trace.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("traceroute to 192.0.2.1 (192.0.2.1), 30 hops max, 60 byte packets", lines[0]);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(lines[1], @"^ 1  192\.0\.2\.1  \d+\.\d{3} ms  \d+\.\d{3} ms  \d+\.\d{3} ms$"), trace.Output);
        Assert.Equal(2, lines.Length);

        var arp = await Cpe("show arp");
        string mac = Sim.IpJson("neigh", "show", "192.0.2.1").Single()!["lladdr"]!.GetValue<string>();
        Assert.Contains("MAC Address       Address          Interface        State\n", arp.Output);
        Assert.Matches($@"\n{mac} 192\.0\.2\.1 +ge-0/0/0 +(reachable|stale|delay|probe)\n", arp.Output);
        Assert.Matches(@"Total entries: [1-9]", arp.Output);
        var v6 = await Cpe("show ipv6 neighbors");
        Assert.StartsWith("IPv6 Address", v6.Output);
    }

    [Fact]
    public async Task Ctrl_C_stops_an_endless_ping_with_its_statistics_and_monitor_log_shows_a_commit_as_it_happens()
    {
        using var tty = PtyDriver.Start(Binaries.Cpe, ["--socket", Cped.SocketPath]);
        tty.WaitFor("root@cpe> ");
        // "?" after the host lists the options; after one that takes a value, what the value is.
        tty.Type("ping 192.0.2.1 ?");
        string options = tty.WaitFor("root@cpe> ping 192.0.2.1 ");
        Assert.Contains("  do-not-fragment", options);
        Assert.Contains("  vnf ", options);
        tty.Type("rapid count ?");
        string value = tty.WaitFor("root@cpe> ping 192.0.2.1 rapid count ");
        Assert.Contains("<count>", value);
        Assert.DoesNotContain("do-not-fragment", value);
        tty.Key(0x15);   // Ctrl-U: the line is gone
        tty.Type("ping 192.0.2.1\r");
        tty.WaitFor("icmp_seq=1 ");
        tty.Key(0x03);
        string stopped = tty.WaitFor("root@cpe> ");
        Assert.Contains("^C\n--- 192.0.2.1 ping statistics ---\n", stopped.Replace("\r", ""));
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(stopped.Replace("\r", ""), @"\n[23] packets transmitted, [23] packets received"), stopped);

        tty.Type("monitor log\r");
        tty.WaitFor("Ctrl-C stops.");
        Assert.Equal(0, (await Cpe("configure; set system host-name field-box; commit comment \"seen live\"")).ExitCode);
        string live = tty.WaitFor("event commit: ");
        tty.WaitFor("seen");
        tty.Key(0x03);
        tty.WaitFor("@field-box> ");
        Assert.DoesNotContain("error", live);
    }

    [Fact]
    public async Task Show_log_messages_reads_the_log_file_and_a_script_cannot_monitor()
    {
        var messages = await Cpe("show log messages");
        Assert.True(messages.ExitCode == 0, messages.ToString());
        Assert.Matches(@"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC info +cped\[1000\] cped .* ready on", messages.Output);
        // Every line of the file, each fitted to 80 columns ('| count' counts them before they are fitted).
        Assert.All(messages.Output.Split('\n'), l => Assert.True(l.Length <= 80, l));
        // Sessions log their opening and closing as they run: the count lies between the file's lengths before and after.
        int before = File.ReadAllLines(LogFile).Length;
        var count = await Cpe("show log messages | count");
        int after = File.ReadAllLines(LogFile).Length;
        Assert.InRange(int.Parse(count.Output.Split(' ')[1]), before, after);
        var last = await Cpe("show log messages | last 1");
        Assert.Single(last.Output.Split('\n'), l => l.Length > 0 && !l.StartsWith(' '));   // one line, maybe wrapped

        var monitor = await Cpe("monitor log");
        Assert.Contains("'monitor log' runs until Ctrl-C, so it needs a terminal", monitor.Error);
    }

    [Fact]
    public async Task Pipe_save_writes_what_the_pipes_left_to_a_file_and_says_how_many_lines()
    {
        string file = Path.Combine(Sim.Directory, "set.txt");
        var saved = await Cpe($"show configuration | display set | match interfaces | save {file}");
        Assert.True(saved.ExitCode == 0, saved.ToString());
        var lines = File.ReadAllLines(file);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.StartsWith("set interfaces ", l));
        Assert.Equal($"Wrote {lines.Length} line{(lines.Length == 1 ? "" : "s")} of output to '{file}'\n", saved.Output);
        var middle = await Cpe($"show arp | save {file} | count");
        Assert.Contains("'| save' must be the last pipe", middle.Error);
        var nowhere = await Cpe("show arp | save /nonexistent-dir/arp.txt");
        Assert.Contains("could not write '/nonexistent-dir/arp.txt'", nowhere.Error);
    }

    [Fact]
    public async Task Show_lldp_neighbors_lists_a_switch_on_a_front_port_until_it_says_goodbye()
    {
        Assert.Contains("No LLDP neighbors heard", (await Cpe("show lldp neighbors")).Output);
        // The "switch" is the LAN side of ge-0/0/1, sending as a switch does, to the nearest-bridge group.
        var lan = TestNamespace.Existing(Sim.Lan);
        int ifIndex = lan.IpJson("link", "show", "lan1").Single()!["ifindex"]!.GetValue<int>();
        Task Send(byte[] frame) => Namespaces.RunInAsync(lan.Path, Namespaces.CLONE_NEWNET, () =>
        {
            using var sw = LinkLayerSocket.Open(0x88cc);
            sw.Send(ifIndex, frame);
            return true;
        });
        await Send(LldpFrames.Switch(ttl: 120));
        string shown = "";
        for (var watch = Stopwatch.StartNew(); watch.Elapsed < TimeSpan.FromSeconds(5) && !shown.Contains("access-sw-3"); await Task.Delay(50))
            shown = (await Cpe("show lldp neighbors")).Output;
        Assert.Contains("Local Interface  Chassis Id         Port info          System Name\n"
            + "ge-0/0/1         02:11:22:33:44:55  ge-0/0/12          access-sw-3\nTotal neighbors: 1\n", shown);
        var detail = (await Cpe("show lldp neighbors detail")).Output;
        Assert.Contains("  Port description: to the CPE at desk 4\n  System name: access-sw-3\n  System description: Example Switch OS 9.1\n  Management address: 192.0.2.9\n", detail);
        Assert.Matches(@"Expires in: 1[12]\d s", detail);

        await Send(LldpFrames.Switch(ttl: 0));   // the switch's shutdown LLDPDU
        for (var watch = Stopwatch.StartNew(); watch.Elapsed < TimeSpan.FromSeconds(5) && shown.Contains("access-sw-3"); await Task.Delay(50))
            shown = (await Cpe("show lldp neighbors")).Output;
        Assert.Contains("No LLDP neighbors heard", shown);
    }
}
