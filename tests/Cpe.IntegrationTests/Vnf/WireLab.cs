using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cpe.Interop;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>
/// A LAN host and a WAN host with a VNF namespace between them, wired by veth pairs (LAN eth0 ↔ VNF "in",
/// VNF "out" ↔ WAN eth0), for running a sample VNF's program on real interfaces. Sockets are made inside the hosts'
/// namespaces, so the test talks TCP through the VNF itself.
/// </summary>
public sealed class WireLab : IDisposable
{
    public TestNamespace Lan { get; } = new();
    public TestNamespace Vnf { get; } = new();
    public TestNamespace Wan { get; } = new();
    Process? _vnf;
    readonly List<string> _output = [];

    public WireLab(string lanAddress = "10.9.0.1/24", string wanAddress = "10.9.0.2/24")
    {
        Wire(Lan, "eth0", Vnf, "in");
        Wire(Vnf, "out", Wan, "eth0");
        Lan.Ip("addr", "add", lanAddress, "dev", "eth0");
        Wan.Ip("addr", "add", wanAddress, "dev", "eth0");
        foreach (var ns in new[] { Lan, Vnf, Wan }) ns.Ip("link", "set", "lo", "up");
        foreach (var (ns, dev) in new[] { (Lan, "eth0"), (Vnf, "in"), (Vnf, "out"), (Wan, "eth0") })
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

    /// <summary>Starts the VNF program in the middle namespace and waits for its "forwarding" line.</summary>
    public async Task StartAsync(string program, IDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("ip", ["netns", "exec", Vnf.Name, program]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        _vnf = Process.Start(psi)!;
        _vnf.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
        _vnf.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
        _vnf.BeginOutputReadLine();
        _vnf.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!Output.Any(l => l.Contains("forwarding between")))
        {
            if (_vnf.HasExited || DateTime.UtcNow > deadline) throw new InvalidOperationException($"the VNF did not start: {string.Join('\n', Output)}");
            await Task.Delay(10);
        }
    }

    public IReadOnlyList<string> Output { get { lock (_output) return _output.ToList(); } }

    /// <summary>Stops the VNF with SIGTERM and returns what it printed.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        if (_vnf is { HasExited: false }) { Signals.Terminate(_vnf.Id); await _vnf.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)); }
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
        try { if (_vnf is { HasExited: false }) _vnf.Kill(); } catch (InvalidOperationException) { }
        Lan.Dispose();
        Vnf.Dispose();
        Wan.Dispose();
    }
}
