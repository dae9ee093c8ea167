using Cpe.PacketIo;
using Cpe.PacketIo.Protocols;

namespace Cpe.Vnfs.Router;

/// <summary>
/// An IPv4 router over its ports: answers ARP and ping for its own addresses, forwards by longest-prefix match,
/// decrements TTL with an incremental checksum update (a packet whose TTL runs out gets an ICMP time exceeded back, at
/// most 100 a second), and rewrites the MACs for the next link, resolving next hops with ARP (the packet that finds one
/// unresolved is dropped, as it asks).
/// </summary>
public sealed class Router : IPacketProcessor
{
    readonly PacketPipelineBuilder _io;
    readonly RouteTable _routes;
    readonly ulong[] _macs;
    readonly ArpTable _arp;
    readonly byte[] _arpFrame = new byte[ArpTable.FrameLength];
    readonly byte[] _icmpFrame = new byte[Icmp.TimeExceededMaxLength];
    const int IcmpErrorsPerSecond = 100;
    int _icmpErrors;
    long _lastAging;

    public Router(PacketPipelineBuilder io, RouteTable routes)
    {
        _io = io;
        _routes = routes;
        _macs = io.Ports.Select(p => Mac.OfInterface(p.Name)).ToArray();
        _arp = new ArpTable(io.Ports.Count);
    }

    public Verdict Process(ref Packet packet)
    {
        var frame = packet.Frame;
        int port = packet.InPort;
        uint own = _routes.Addresses[port];
        if (Frame.EtherType(frame) == Frame.EtherTypeArp)
        {
            if (!_arp.Handle(port, frame, own, _macs[port])) return Verdict.Drop;
            packet.OutPort = port;
            return Verdict.Forward;
        }
        if (!Frame.IsIpv4(frame) || Mac.Read(frame) != _macs[port]) return Verdict.Drop;
        _arp.Learn(port, Frame.SourceIp(frame), Mac.Read(frame[6..]));
        uint destination = Frame.DestinationIp(frame);
        if (_routes.Addresses.Contains(destination))
        {
            if (!Icmp.EchoReply(frame)) return Verdict.Drop;
            packet.OutPort = port;
            return Verdict.Forward;
        }
        if (!_routes.TryLookup(destination, out var route)) return Verdict.Drop;
        if (Frame.Ttl(frame) <= 1)
        {
            // RFC 1812 §4.3.2.8: rate-limited, so a flood of expiring packets does not become a flood of answers.
            if (_icmpErrors++ < IcmpErrorsPerSecond && Icmp.TimeExceeded(_icmpFrame, frame, _macs[port], own) is int length and > 0)
                _io.Emit(port, _icmpFrame.AsSpan(0, length));
            return Verdict.Drop;
        }
        uint nextHop = route.Gateway != 0 ? route.Gateway : destination;
        if (!_arp.TryGet(route.Port, nextHop, out ulong nextMac))
        {
            ArpTable.Request(_arpFrame, _macs[route.Port], _routes.Addresses[route.Port], nextHop);
            _io.Emit(route.Port, _arpFrame);
            return Verdict.Drop;
        }
        Hop.Forward(frame, _macs[route.Port], nextMac);
        packet.OutPort = route.Port;
        return Verdict.Forward;
    }

    public void OnTick(long now)
    {
        if (now - _lastAging < 1000) return;
        _lastAging = now;
        _icmpErrors = 0;
        _arp.Age(now, 300_000);
    }
}
