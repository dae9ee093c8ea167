using System.Runtime.CompilerServices;
using Cpe.PacketIo;
using Cpe.PacketIo.Protocols;

namespace Cpe.Vnfs.Nat;

/// <summary>
/// NAPT between port 0 (inside: the LAN's gateway address) and port 1 (outside: the WAN address). It is a router:
/// it answers ARP and ping for its two addresses, decrements TTL, and rewrites MACs; outbound TCP, UDP and ICMP echo
/// get the outside address and a port of their own (checksums updated incrementally, RFC 1624); answers are
/// translated back; anything else arriving outside is dropped.
/// </summary>
public sealed class Nat : IPacketProcessor
{
    const int Inside = 0, Outside = 1;
    readonly PacketPipelineBuilder _io;
    readonly uint _insideIp, _outsideIp, _outsideMask;
    readonly uint? _gateway;
    readonly ulong[] _macs;
    readonly ArpTable _arp = new(2);
    readonly NatTable _table = new();
    readonly byte[] _arpFrame = new byte[ArpTable.FrameLength];
    long _now = Environment.TickCount64, _lastExpiry;

    public Nat(PacketPipelineBuilder io, uint inside, uint outside, int outsidePrefix, uint? gateway)
    {
        _io = io;
        (_insideIp, _outsideIp, _gateway) = (inside, outside, gateway);
        _outsideMask = outsidePrefix == 0 ? 0 : uint.MaxValue << (32 - outsidePrefix);
        _macs = [Mac.OfInterface(io.Ports[Inside].Name), Mac.OfInterface(io.Ports[Outside].Name)];
    }

    public Verdict Process(ref Packet packet)
    {
        var frame = packet.Frame;
        int port = packet.InPort;
        uint own = port == Inside ? _insideIp : _outsideIp;
        if (Frame.EtherType(frame) == Frame.EtherTypeArp)
        {
            if (!_arp.Handle(port, frame, own, _macs[port])) return Verdict.Drop;
            packet.OutPort = port;
            return Verdict.Forward;
        }
        if (!Frame.IsIpv4(frame) || Mac.Read(frame) != _macs[port]) return Verdict.Drop;   // not routed to us
        _arp.Learn(port, Frame.SourceIp(frame), Mac.Read(frame[6..]));
        if (Frame.DestinationIp(frame) == own)
        {
            if (port == Outside && TranslateAnswer(ref packet)) return Verdict.Forward;
            if (!Icmp.EchoReply(frame)) return Verdict.Drop;                                 // ping to our own address
            packet.OutPort = port;
            return Verdict.Forward;
        }
        return port == Inside ? TranslateOutbound(ref packet) : Verdict.Drop;
    }

    Verdict TranslateOutbound(ref Packet packet)
    {
        var frame = packet.Frame;
        if (Frame.Ttl(frame) <= 1 || Frame.IsFragment(frame) || Frame.L4(frame) is not (>= 0 and var l4)) return Verdict.Drop;
        var flow = Frame.Flow(frame);
        if (flow.Protocol is not (Frame.Tcp or Frame.Udp) && !(flow.Protocol == Frame.Icmp && frame[l4] == 8)) return Verdict.Drop;
        uint nextHop = (flow.DestinationIp & _outsideMask) == (_outsideIp & _outsideMask) || _gateway is null ? flow.DestinationIp : _gateway.Value;
        if (!_arp.TryGet(Outside, nextHop, out ulong nextMac)) { AskFor(nextHop); return Verdict.Drop; }

        ref var t = ref _table.Find(flow);
        if (Unsafe.IsNullRef(ref t)) t = ref _table.Add(flow, _outsideIp, Mac.Read(frame[6..]), _now);
        if (Unsafe.IsNullRef(ref t)) return Verdict.Drop;                                   // no port left
        t.LastSeen = _now;
        t.Closing |= flow.Protocol == Frame.Tcp && (frame[l4 + 13] & 0x05) != 0;
        Rewrite(frame, l4, flow.Protocol, source: true, _outsideIp, t.OutsidePort);
        Hop.Forward(frame, _macs[Outside], nextMac);
        packet.OutPort = Outside;
        return Verdict.Forward;
    }

    bool TranslateAnswer(ref Packet packet)
    {
        var frame = packet.Frame;
        if (Frame.Ttl(frame) <= 1 || Frame.IsFragment(frame) || Frame.L4(frame) is not (>= 0 and var l4)) return false;
        var arriving = Frame.Flow(frame);
        if (arriving.Protocol == Frame.Icmp && frame[l4] != 0) return false;                 // only echo replies are answers
        if (!_table.TryFindAnswer(arriving, out var inside)) return false;
        ref var t = ref _table.Find(inside);
        t.LastSeen = _now;
        t.Closing |= arriving.Protocol == Frame.Tcp && (frame[l4 + 13] & 0x05) != 0;
        Rewrite(frame, l4, arriving.Protocol, source: false, inside.SourceIp, inside.SourcePort);
        Hop.Forward(frame, _macs[Inside], t.InsideMac);
        packet.OutPort = Inside;
        return true;
    }

    /// <summary>Sets the source (or destination) address and port, fixing the IP and transport checksums incrementally.</summary>
    static void Rewrite(Span<byte> frame, int l4, byte protocol, bool source, uint ip, ushort port)
    {
        int ipAt = Frame.EthernetHeader + (source ? 12 : 16);
        uint oldIp = source ? Frame.SourceIp(frame) : Frame.DestinationIp(frame);
        Frame.WriteUInt32(frame, ipAt, ip);
        Frame.WriteUInt16(frame, Frame.EthernetHeader + 10, Checksum.Update(Frame.ReadUInt16(frame, Frame.EthernetHeader + 10), oldIp, ip));
        int portAt = protocol == Frame.Icmp ? l4 + 4 : l4 + (source ? 0 : 2);
        ushort oldPort = Frame.ReadUInt16(frame, portAt);
        Frame.WriteUInt16(frame, portAt, port);
        int sumAt = l4 + Frame.ChecksumOffset(protocol);
        ushort sum = Frame.ReadUInt16(frame, sumAt);
        if (protocol == Frame.Udp && sum == 0) return;                                       // UDP without a checksum
        if (protocol != Frame.Icmp) sum = Checksum.Update(sum, oldIp, ip);                   // ICMP has no pseudo-header
        Frame.WriteUInt16(frame, sumAt, Checksum.Update(sum, oldPort, port));
    }

    void AskFor(uint ip)
    {
        ArpTable.Request(_arpFrame, _macs[Outside], _outsideIp, ip);
        _io.Emit(Outside, _arpFrame);
    }

    public void OnTick(long now)
    {
        _now = now;
        if (now - _lastExpiry < 1000) return;
        _lastExpiry = now;
        _table.Expire(now, _outsideIp);
        _arp.Age(now, 300_000);
        if (_gateway is uint g && !_arp.TryGet(Outside, g, out _)) AskFor(g);               // keep the gateway resolved
    }
}
