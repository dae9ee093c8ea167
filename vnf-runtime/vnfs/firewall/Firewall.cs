using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Cpe.PacketIo;
using Cpe.PacketIo.Protocols;

namespace Cpe.Vnfs.Firewall;

/// <summary>
/// A stateful firewall between port 0 (inside) and port 1 (outside), transparent at layer 2 (a bump in the wire):
/// ARP passes; IPv4 flows are tracked by 5-tuple as their first packet opened them; a packet of a known flow, in
/// either direction, passes; the first packet of a new flow is judged by the rules (default: outbound allowed,
/// inbound denied). Flows expire: TCP 30 s after a FIN or RST and 1 h otherwise, UDP 60 s, ICMP 30 s. Everything
/// else (IPv6, fragments after the first) is dropped.
/// </summary>
public sealed class Firewall(IReadOnlyList<Rule> rules, int maxConnections) : IPacketProcessor
{
    struct Connection
    {
        public long LastSeen;
        public bool Closing;
    }

    // Keyed by the flow as its first packet saw it; the table is sized once, so adding allocates nothing.
    readonly Dictionary<FlowKey, Connection> _connections = new(maxConnections);
    long _now = Environment.TickCount64, _lastSweep;

    public long Allowed { get; private set; }
    public long Denied { get; private set; }
    public int Connections => _connections.Count;

    public Verdict Process(ref Packet packet)
    {
        var frame = packet.Frame;
        if (Frame.EtherType(frame) == Frame.EtherTypeArp) return Verdict.Forward;
        if (!Frame.IsIpv4(frame) || Frame.IsFragment(frame)) return Deny();
        var direction = packet.InPort == 0 ? Direction.Outbound : Direction.Inbound;
        var flow = Frame.Flow(frame);
        int l4 = Frame.L4(frame);
        if (l4 < 0) return Deny();
        byte tcpFlags = flow.Protocol == Frame.Tcp ? frame[l4 + 13] : (byte)0;
        bool closing = (tcpFlags & 0x05) != 0;   // FIN or RST

        // A packet of a flow one of the two sides opened.
        ref var known = ref CollectionsMarshal.GetValueRefOrNullRef(_connections, flow);
        if (Unsafe.IsNullRef(ref known)) known = ref CollectionsMarshal.GetValueRefOrNullRef(_connections, flow.Reversed);
        if (!Unsafe.IsNullRef(ref known))
        {
            known.LastSeen = _now;
            known.Closing |= closing;
            Allowed++;
            return Verdict.Forward;
        }

        // A new flow: only a TCP SYN (or any UDP/ICMP packet) may open one, and only if the rules allow it.
        if (flow.Protocol == Frame.Tcp && (tcpFlags & 0x12) != 0x02) return Deny();
        bool allow = direction == Direction.Outbound;
        foreach (var rule in rules)
            if (rule.Matches(direction, flow)) { allow = rule.Allow; break; }
        if (!allow || _connections.Count >= maxConnections) return Deny();
        _connections[flow] = new Connection { LastSeen = _now };
        Allowed++;
        return Verdict.Forward;
    }

    Verdict Deny()
    {
        Denied++;
        return Verdict.Drop;
    }

    public void OnTick(long nowMilliseconds)
    {
        _now = nowMilliseconds;
        if (_now - _lastSweep < 1000) return;
        _lastSweep = _now;
        foreach (var (flow, c) in _connections)
        {
            long idle = _now - c.LastSeen;
            long limit = flow.Protocol switch { Frame.Tcp => c.Closing ? 30_000 : 3_600_000, Frame.Udp => 60_000, _ => 30_000 };
            if (idle > limit) _connections.Remove(flow);   // removing while enumerating is allowed for Dictionary in .NET
        }
    }
}
