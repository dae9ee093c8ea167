using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cpe.Interop;

namespace Cpe.TestKit;

/// <summary>
/// A LAN host and a WAN host with a chain of VNF namespaces between them, wired by veth pairs (LAN eth0 ↔ first VNF
/// "in", each VNF's "out" ↔ the next one's "in", last "out" ↔ WAN eth0), for running sample VNF programs on real
/// interfaces. Sockets are made inside the hosts' namespaces, so a test talks TCP through the VNFs themselves.
/// </summary>
public sealed class WireLab : IDisposable
{
    public TestNamespace Lan { get; } = new();
    public IReadOnlyList<TestNamespace> Vnfs { get; }
    public TestNamespace Vnf => Vnfs[0];
    public TestNamespace Wan { get; } = new();
    readonly List<Process> _processes = [];
    readonly List<string> _output = [];

    public WireLab(string lanAddress = "10.9.0.1/24", string wanAddress = "10.9.0.2/24", int hops = 1)
    {
        Vnfs = Enumerable.Range(0, hops).Select(_ => new TestNamespace()).ToList();
        Wire(Lan, "eth0", Vnfs[0], "in");
        for (int i = 0; i + 1 < hops; i++) Wire(Vnfs[i], "out", Vnfs[i + 1], "in");
        Wire(Vnfs[^1], "out", Wan, "eth0");
        Lan.Ip("addr", "add", lanAddress, "dev", "eth0");
        Wan.Ip("addr", "add", wanAddress, "dev", "eth0");
        foreach (var ns in Vnfs.Prepend(Lan).Append(Wan)) ns.Ip("link", "set", "lo", "up");
        foreach (var (ns, dev) in Vnfs.SelectMany(v => new[] { (v, "in"), (v, "out") }).Prepend((Lan, "eth0")).Append((Wan, "eth0")))
        {
            Command.Run("ip", ["netns", "exec", ns.Name, "sysctl", "-qw", $"net.ipv6.conf.{dev}.disable_ipv6=1"]);
            ns.Ip("link", "set", dev, "up");
            // Frames as a NIC delivers them: no segmentation or receive aggregation on the wire the VNF sees.
            Command.Run("ip", ["netns", "exec", ns.Name, "ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off"]);
        }
    }

    static void Wire(TestNamespace a, string aName, TestNamespace b, string bName)
    {
        string tmp = "v" + Guid.NewGuid().ToString("N")[..10];
        Command.Run("ip", ["link", "add", tmp, "type", "veth", "peer", "name", tmp + "p"]);
        Command.Run("ip", ["link", "set", tmp, "netns", a.Name, "name", aName]);
        Command.Run("ip", ["link", "set", tmp + "p", "netns", b.Name, "name", bName]);
    }

    /// <summary>Starts the VNF program in every VNF namespace and waits for each one's "forwarding" line.</summary>
    public async Task StartAsync(string program, IDictionary<string, string>? environment = null)
    {
        foreach (var ns in Vnfs)
        {
            var psi = new ProcessStartInfo("ip", ["netns", "exec", ns.Name, program]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
            var process = Process.Start(psi)!;
            _processes.Add(process);
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Output.Count(l => l.Contains("forwarding between")) < Vnfs.Count)
        {
            if (_processes.Any(p => p.HasExited) || DateTime.UtcNow > deadline) throw new InvalidOperationException($"the VNF did not start: {string.Join('\n', Output)}");
            await Task.Delay(10);
        }
    }

    /// <summary>The VNF processes (their PIDs are the programs': ip netns exec execs them).</summary>
    public IReadOnlyList<Process> Processes => _processes;

    public IReadOnlyList<string> Output { get { lock (_output) return _output.ToList(); } }

    /// <summary>Stops the VNFs with SIGTERM and returns what they printed.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        foreach (var p in _processes.Where(p => !p.HasExited)) Signals.Terminate(p.Id);
        foreach (var p in _processes) await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        return Output;
    }

    public static Task<Socket> SocketIn(TestNamespace ns, SocketType type = SocketType.Stream, ProtocolType protocol = ProtocolType.Tcp) =>
        Namespaces.RunInAsync(ns.Path, Namespaces.CLONE_NEWNET, () => new Socket(AddressFamily.InterNetwork, type, protocol));

    /// <summary>
    /// A TCP connection from <paramref name="client"/> to <paramref name="address"/>, with a listener on every address
    /// of <paramref name="server"/>: true when a line went there and back within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<bool> TcpWorksAsync(TestNamespace client, TestNamespace server, string address, int port, TimeSpan timeout)
    {
        using var listener = await SocketIn(server);
        listener.Bind(new IPEndPoint(IPAddress.Any, port));
        listener.Listen();
        var echo = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptAsync();
            var buffer = new byte[64];
            int n = await accepted.ReceiveAsync(buffer);
            await accepted.SendAsync(buffer.AsMemory(0, n));
        });
        using var socket = await SocketIn(client);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(address), port), cts.Token);
            await socket.SendAsync("ping\n"u8.ToArray(), cts.Token);
            var reply = new byte[64];
            int n = await socket.ReceiveAsync(reply, cts.Token);
            return n == 5;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException) { return false; }
    }

    /// <summary>True when one ping from <paramref name="from"/> is answered within a second.</summary>
    public static bool Pings(TestNamespace from, string address) =>
        Command.Run("ip", ["netns", "exec", from.Name, "ping", "-c", "1", "-W", "1", address], check: false).Contains("1 received");

    public void Dispose()
    {
        foreach (var p in _processes) try { if (!p.HasExited) p.Kill(); } catch (InvalidOperationException) { }
        Lan.Dispose();
        foreach (var v in Vnfs) v.Dispose();
        Wan.Dispose();
    }
}
