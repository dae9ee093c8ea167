using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cpe.Interop;
using Cpe.TestKit;
using Cpe.Vnf.Packages;
using Cpe.Vnf.Runtime;

/// <summary>
/// The VNF runtime's figures, side by side in one run (docs/benchmarks.md): start latency of our launcher and of
/// runc on the same bundle (exec to the VNF's first line of main, and to the first packet it forwards), the RSS of
/// each sample VNF, 64-byte forwarding through the router VNF against kernel IP forwarding (both fed by trafgen), and
/// the VNFs' CPU time per packet per hop in chains of 1 to 4 firewalls.
/// </summary>
static partial class VnfBench
{
    const int Starts = 10;

    public static async Task<JsonObject> RunAsync() => new()
    {
        ["start_latency_ms"] = await StartLatencyAsync(),
        ["rss_kib"] = await RssAsync(),
        ["forwarding_64_byte_frames"] = await ForwardingAsync(),
        ["chain_cpu_ns_per_packet_per_hop"] = await ChainCpuAsync(),
        ["api_under_vnf_attack"] = await VnfAttackBench.RunAsync(),
        ["start_latency_kernel_lab_cgroup_v2"] = await VnfLabBench.RunAsync(),
    };

    /// <summary>The parent of the bench runs' cgroups (each run's own went with it).</summary>
    public static void RemoveCgroupParent()
    {
        foreach (var parent in new Cgroup("/sys/fs/cgroup", "/cpe-bench").Directories)
            try { Directory.Delete(parent); } catch (IOException) { }
    }

    static async Task<JsonObject> StartLatencyAsync()
    {
        using var dir = new TempFolder("cpe-bench-vnf-");
        using var lab = new WireLab();
        string bundle = dir["bundle"];
        ProgramTree.CopyWithLibraries(Binaries.Vnf("firewall"), Path.Combine(bundle, "rootfs"), "bin/firewall");
        var image = new OciImageConfig("amd64", "linux", new OciProcessConfig(User: "1000:1000", Entrypoint: ["/bin/firewall"]), new OciRootFs("layers", []));
        var labels = new Dictionary<string, string>
        {
            ["org.cpe.vnf.name"] = "firewall", ["org.cpe.vnf.version"] = "1.0.0", ["org.cpe.vnf.interfaces"] = "in:virtio:ingress,out:virtio:egress",
            ["org.cpe.vnf.capabilities"] = "CAP_NET_RAW", ["org.cpe.vnf.memory"] = "64M",
        };
        BundleWriter.Write(bundle, BundleWriter.Spec(image, VnfDescriptor.FromLabels(labels),
            new InstancePlacement("bench-fw", lab.Vnf.Path, null, File.Exists("/sys/fs/cgroup/cgroup.controllers"), "/cpe-bench")));
        // Static neighbours: the first packet through must not wait for ARP.
        lab.Lan.Ip("neigh", "add", "10.9.0.2", "lladdr", Mac(lab.Wan, "eth0"), "dev", "eth0", "nud", "permanent");
        lab.Wan.Ip("neigh", "add", "10.9.0.1", "lladdr", Mac(lab.Lan, "eth0"), "dev", "eth0", "nud", "permanent");
        using var receiver = await WireLab.SocketIn(lab.Wan, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Parse("10.9.0.2"), 9999));
        using var sender = await WireLab.SocketIn(lab.Lan, SocketType.Dgram, ProtocolType.Udp);

        var results = new JsonObject();
        foreach (var runtime in new[] { "cpe-runtime", "runc" })
        {
            var main = new List<double>();
            var packet = new List<double>();
            for (int i = 0; i < Starts; i++)
            {
                var (m, p) = await OneStartAsync(runtime, bundle, dir.Path, receiver, sender, i);
                main.Add(m);
                packet.Add(p);
            }
            results[runtime] = new JsonObject { ["to_main"] = Summary(main), ["to_first_forwarded_packet"] = Summary(packet) };
        }
        RemoveCgroupParent();
        results["starts_each"] = Starts;
        results["bundle"] = "the firewall sample (NativeAOT) with its libraries, read-only root, uid 1000, CAP_NET_RAW, seccomp filter, cgroup limits";
        return results;
    }

    static async Task<(double Main, double Packet)> OneStartAsync(string runtime, string bundle, string dir, Socket receiver, Socket sender, int run)
    {
        while (receiver.Available > 0) receiver.Receive(new byte[2048]);
        string id = $"bench{run}", log = Path.Combine(dir, $"{runtime}-{run}.log");
        using var sending = new CancellationTokenSource();
        var send = Task.Run(async () =>
        {
            var target = new IPEndPoint(IPAddress.Parse("10.9.0.2"), 9999);
            while (!sending.IsCancellationRequested) { sender.SendTo("x"u8, target); await Task.Delay(1); }
        });
        long t0 = Micros();
        var psi = runtime == "cpe-runtime"
            ? new ProcessStartInfo(Binaries.Runtime, ["run", "--bundle", bundle, "--log", log, id])
            : new ProcessStartInfo("runc", ["--root", Path.Combine(dir, "runc"), "run", "--bundle", bundle, id]);
        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = runtime == "runc";
        using var process = Process.Start(psi)!;
        var output = runtime == "runc" ? ReadLinesAsync(process, log) : Task.CompletedTask;
        var buffer = new byte[64];
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await receiver.ReceiveAsync(buffer, wait.Token);
        long firstPacket = Micros();
        sending.Cancel();
        await send;
        long main = await MainStampAsync(log);
        if (runtime == "runc") Command.Run("runc", ["--root", Path.Combine(dir, "runc"), "kill", id, "TERM"], check: false);
        else Signals.Terminate(process.Id);
        await process.WaitForExitAsync();
        await output;
        if (runtime == "runc") Command.Run("runc", ["--root", Path.Combine(dir, "runc"), "delete", "--force", id], check: false);
        return ((main - t0) / 1000.0, (firstPacket - t0) / 1000.0);
    }

    static async Task ReadLinesAsync(Process process, string log)
    {
        await using var file = File.CreateText(log);
        file.AutoFlush = true;
        while (await process.StandardOutput.ReadLineAsync() is { } line) await file.WriteLineAsync(line);
    }

    static async Task<long> MainStampAsync(string log)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(log) && MainLine().Match(await File.ReadAllTextAsync(log)) is { Success: true } m) return long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            await Task.Delay(5);
        }
        throw new TimeoutException($"no main line in {log}");
    }

    [GeneratedRegex(@"firewall: main (\d+)")]
    private static partial Regex MainLine();

    static async Task<JsonObject> RssAsync()
    {
        var result = new JsonObject();
        foreach (var (vnf, env) in new (string, Dictionary<string, string>)[]
        {
            ("firewall", new()), ("nat", new() { ["NAT_INSIDE_IP"] = "10.9.0.254", ["NAT_OUTSIDE_IP"] = "10.9.0.253" }), ("router", new() { ["ROUTER_ADDRESSES"] = "in=10.9.0.254/24,out=10.8.0.254/24" }),
        })
        {
            using var lab = new WireLab();
            await lab.StartAsync(Binaries.Vnf(vnf), env);
            await Task.Delay(500);
            string status = await File.ReadAllTextAsync($"/proc/{lab.Processes[0].Id}/status");
            result[vnf] = long.Parse(Regex.Match(status, @"VmRSS:\s+(\d+) kB").Groups[1].Value, CultureInfo.InvariantCulture);
            await lab.StopAsync();
        }
        return result;
    }

    /// <summary>64-byte frames (60 on the wire plus FCS) from trafgen on one CPU for 5 s, counted where they arrive.</summary>
    static async Task<JsonObject> ForwardingAsync()
    {
        var result = new JsonObject();
        foreach (var mode in new[] { "router-vnf", "kernel" })
        {
            using var lab = new WireLab("10.1.0.2/24", "10.2.0.2/24");
            lab.Lan.Ip("route", "add", "default", "via", "10.1.0.1");
            lab.Wan.Ip("route", "add", "default", "via", "10.2.0.1");
            if (mode == "kernel")
            {
                lab.Vnf.Ip("addr", "add", "10.1.0.1/24", "dev", "in");
                lab.Vnf.Ip("addr", "add", "10.2.0.1/24", "dev", "out");
                Command.Run("ip", ["netns", "exec", lab.Vnf.Name, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
            }
            else await lab.StartAsync(Binaries.Vnf("router"), new Dictionary<string, string> { ["ROUTER_ADDRESSES"] = "in=10.1.0.1/24,out=10.2.0.1/24" });
            // Resolve both links before the flood (the router drops while it asks).
            for (int i = 0; i < 3 && !WireLab.Pings(lab.Lan, "10.2.0.2"); i++) { }
            result[mode] = await FloodAsync(lab, Mac(lab.Vnf, "in"), "10.1.0.2", "10.2.0.2");
            if (mode != "kernel") await lab.StopAsync();
        }
        result["ratio_router_vnf_to_kernel"] = Math.Round(result["router-vnf"]!["received_pps"]!.GetValue<double>() / result["kernel"]!["received_pps"]!.GetValue<double>(), 3);
        return result;
    }

    static async Task<JsonObject> FloodAsync(WireLab lab, string dstMac, string srcIp, string dstIp, string? rate = null, int seconds = 5)
    {
        string config = Path.Combine(Path.GetTempPath(), $"cpe-trafgen-{Guid.NewGuid():N}.cfg");
        await File.WriteAllTextAsync(config, TrafgenFrame(dstMac, Mac(lab.Lan, "eth0"), srcIp, dstIp));
        try
        {
            long rx0 = RxPackets(lab.Wan), tx0 = TxPackets(lab.Lan);
            var args = new List<string> { "netns", "exec", lab.Lan.Name, "timeout", "-s", "INT", $"{seconds}", "trafgen", "--dev", "eth0", "--conf", config, "--cpus", "1", "-C", "-q" };
            if (rate is not null) args.AddRange(["--rate", rate]);
            Command.Run("ip", args, check: false);
            await Task.Delay(200);
            long rx = RxPackets(lab.Wan) - rx0, tx = TxPackets(lab.Lan) - tx0;
            return new JsonObject { ["sent_pps"] = Math.Round(tx / (double)seconds), ["received_pps"] = Math.Round(rx / (double)seconds), ["received"] = rx, ["sent"] = tx };
        }
        finally { File.Delete(config); }
    }

    static async Task<JsonObject> ChainCpuAsync()
    {
        var result = new JsonObject();
        for (int hops = 1; hops <= 4; hops++)
        {
            using var lab = new WireLab(hops: hops);
            await lab.StartAsync(Binaries.Vnf("firewall"));
            await Task.Delay(300);
            var before = lab.Processes.Select(p => CpuTicks(p.Id)).ToList();
            var flood = await FloodAsync(lab, Mac(lab.Wan, "eth0"), "10.9.0.1", "10.9.0.2", rate: "50000pps");
            double ticks = lab.Processes.Select((p, i) => CpuTicks(p.Id) - before[i]).Sum();
            double packets = flood["received"]!.GetValue<long>();
            result[$"{hops}"] = new JsonObject
            {
                ["ns_per_packet_per_hop"] = packets > 0 ? Math.Round(ticks * 10_000_000 / packets / hops) : null,
                ["sent_pps"] = flood["sent_pps"]!.DeepClone(),
                ["received_pps"] = flood["received_pps"]!.DeepClone(),
            };
            await lab.StopAsync();
        }
        result["note"] = "user+system time of the VNF processes (10 ms ticks) over 5 s of 50,000 pps; the veth transmit is the sender's softirq time, not counted";
        return result;
    }

    static string TrafgenFrame(string dstMac, string srcMac, string srcIp, string dstIp)
    {
        static string Bytes(string mac) => string.Join(", ", mac.Split(':').Select(b => "0x" + b));
        static string Ip(string ip) => string.Join(", ", ip.Split('.'));
        // Ethernet, IPv4 (checksum by trafgen), UDP 9 → 9, 18 bytes of payload: 60 bytes, 64 with the FCS.
        return $$"""
            {
              {{Bytes(dstMac)}}, {{Bytes(srcMac)}}, 0x08, 0x00,
              0x45, 0x00, 0x00, 46, 0x00, 0x00, 0x40, 0x00, 64, 17, csumip(14, 33), {{Ip(srcIp)}}, {{Ip(dstIp)}},
              0x00, 0x09, 0x00, 0x09, 0x00, 26, 0x00, 0x00,
              fill(0x00, 18)
            }
            """;
    }

    static long RxPackets(TestNamespace ns) => Counter(ns, "rx_packets");
    static long TxPackets(TestNamespace ns) => Counter(ns, "tx_packets");
    static long Counter(TestNamespace ns, string name) =>
        long.Parse(Command.Run("ip", ["netns", "exec", ns.Name, "cat", $"/sys/class/net/eth0/statistics/{name}"]).Trim(), CultureInfo.InvariantCulture);

    static string Mac(TestNamespace ns, string dev) => Command.Run("ip", ["netns", "exec", ns.Name, "cat", $"/sys/class/net/{dev}/address"]).Trim();

    internal static long CpuTicks(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);   // utime, stime
    }

    static long Micros() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;

    static JsonObject Summary(List<double> values)
    {
        var sorted = values.Order().ToList();
        return new JsonObject
        {
            ["median"] = Math.Round(sorted[sorted.Count / 2], 2),
            ["p90"] = Math.Round(sorted[(int)Math.Ceiling(sorted.Count * 0.9) - 1], 2),
            ["min"] = Math.Round(sorted[0], 2),
        };
    }
}
