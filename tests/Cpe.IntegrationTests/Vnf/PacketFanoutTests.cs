using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Cpe.Interop;
using Cpe.PacketIo.Linux;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>
/// PACKET_FANOUT for replicas on one interface: two ports in one fanout group share 100 UDP flows, every packet of a
/// flow reaching the same port, and together they see every packet once.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class PacketFanoutTests : IDisposable
{
    readonly TestNamespace _sender = new(), _vnf = new();

    struct FlowSink(Dictionary<PacketPort, HashSet<int>> byPort, Dictionary<int, int> packets) : IFrameSink
    {
        public void OnFrame(PacketPort from, Span<byte> frame)
        {
            if (frame.Length < 42 || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != 0x0800 || frame[23] != 17) return;
            var udp = frame[(14 + (frame[14] & 0x0f) * 4)..];
            if (BinaryPrimitives.ReadUInt16BigEndian(udp[2..]) != 9000) return;
            int source = BinaryPrimitives.ReadUInt16BigEndian(udp);
            if (!byPort.TryGetValue(from, out var flows)) byPort[from] = flows = [];
            flows.Add(source);
            packets[source] = packets.GetValueOrDefault(source) + 1;
        }
    }

    [Fact]
    public async Task Two_ports_in_one_fanout_group_split_the_flows_and_keep_each_flow_on_one_port()
    {
        string tmp = "f" + Guid.NewGuid().ToString("N")[..10];
        Command.Run("ip", ["link", "add", tmp, "type", "veth", "peer", "name", tmp + "p"]);
        Command.Run("ip", ["link", "set", tmp, "netns", _sender.Name, "name", "eth0"]);
        Command.Run("ip", ["link", "set", tmp + "p", "netns", _vnf.Name, "name", "eth0"]);
        _sender.Ip("addr", "add", "10.8.0.1/24", "dev", "eth0");
        foreach (var ns in new[] { _sender, _vnf }) ns.Ip("link", "set", "eth0", "up");
        string mac = _vnf.IpJson("link", "show", "eth0").Single()!["address"]!.GetValue<string>();
        _sender.Ip("neigh", "add", "10.8.0.2", "lladdr", mac, "dev", "eth0", "nud", "permanent");

        int group = Random.Shared.Next(1, 0xffff);
        var ports = await Namespaces.RunInAsync(_vnf.Path, Namespaces.CLONE_NEWNET,
            () => new[] { PacketPort.Open("eth0", new PortOptions(FanoutGroup: group)), PacketPort.Open("eth0", new PortOptions(FanoutGroup: group)) });
        try
        {
            var byPort = new Dictionary<PacketPort, HashSet<int>>();
            var packets = new Dictionary<int, int>();
            var sink = new FlowSink(byPort, packets);
            // Read as a VNF does, all along: a ring left alone fills with blocks the kernel retires every millisecond.
            for (int flow = 0; flow < 100; flow++)
            {
                using var socket = await WireLab.SocketIn(_sender, SocketType.Dgram, ProtocolType.Udp);
                socket.Bind(new IPEndPoint(IPAddress.Parse("10.8.0.1"), 40000 + flow));
                for (int n = 0; n < 2; n++) socket.SendTo(new byte[32], new IPEndPoint(IPAddress.Parse("10.8.0.2"), 9000));
                foreach (var p in ports) while (p.ReceiveBlock(ref sink) > 0) { }
            }
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (packets.Values.Sum() < 200 && DateTime.UtcNow < deadline)
            {
                foreach (var p in ports) p.ReceiveBlock(ref sink);
                Thread.Sleep(1);
            }
            Assert.True(packets.Values.Sum() == 200, $"{packets.Values.Sum()} of 200 packets, {packets.Count} flows; ports rx {string.Join(",", ports.Select(p => p.Counters.RxPackets))}, "
                + $"kernel drops {string.Join(",", ports.Select(p => p.TakeKernelDrops()))}; {_vnf.Ip("-s", "link", "show", "eth0")}");
            Assert.All(packets.Values, count => Assert.Equal(2, count));
            Assert.Equal(2, byPort.Count);                                  // both ports got flows
            Assert.Empty(byPort.Values.First().Intersect(byPort.Values.Last()));   // no flow on both
            Assert.Equal(100, byPort.Values.Sum(f => f.Count));
        }
        finally
        {
            foreach (var p in ports) p.Dispose();
        }
    }

    public void Dispose()
    {
        _sender.Dispose();
        _vnf.Dispose();
    }
}
