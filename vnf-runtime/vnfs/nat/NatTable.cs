using Cpe.PacketIo.Protocols;

namespace Cpe.Vnfs.Nat;

/// <summary>
/// The translations of a NAPT: each inside flow (as the inside host sent it) gets an outside port of its protocol,
/// from 20000 to 59999; the answer is found by (protocol, outside port, remote address, remote port). Idle
/// translations expire: TCP 30 s after FIN or RST and 2 h otherwise, UDP 60 s, ICMP 30 s. Sized once: adding a
/// translation allocates nothing.
/// </summary>
public sealed class NatTable(int capacity = 65536)
{
    public const ushort FirstPort = 20000, LastPort = 59999;

    public struct Translation
    {
        public FlowKey Inside;
        public ushort OutsidePort;
        public ulong InsideMac;
        public long LastSeen;
        public bool Closing;
    }

    readonly Dictionary<FlowKey, Translation> _byInside = new(capacity);
    // Key: the answer's flow as it arrives outside (remote → our address and the outside port).
    readonly Dictionary<FlowKey, FlowKey> _byOutside = new(capacity);
    readonly ushort[] _nextPort = new ushort[256];

    public int Count => _byInside.Count;

    public ref Translation Find(in FlowKey inside) => ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_byInside, inside);

    /// <summary>The inside flow an arriving answer belongs to, if any.</summary>
    public bool TryFindAnswer(in FlowKey arriving, out FlowKey inside) => _byOutside.TryGetValue(arriving, out inside);

    /// <summary>A new translation, or null-ref when every port of the protocol is taken (or the table is full).</summary>
    public ref Translation Add(in FlowKey inside, uint outsideIp, ulong insideMac, long now)
    {
        if (_byInside.Count >= capacity) return ref System.Runtime.CompilerServices.Unsafe.NullRef<Translation>();
        for (int tries = 0; tries <= LastPort - FirstPort; tries++)
        {
            ref ushort next = ref _nextPort[inside.Protocol];
            if (next < FirstPort || next > LastPort) next = FirstPort;
            ushort port = next++;
            var answer = new FlowKey(inside.DestinationIp, outsideIp, inside.DestinationPort, port, inside.Protocol);
            if (inside.Protocol == Frame.Icmp) answer = answer with { SourcePort = port };   // echo: the identifier both ways
            if (_byOutside.ContainsKey(answer)) continue;
            _byOutside[answer] = inside;
            _byInside[inside] = new Translation { Inside = inside, OutsidePort = port, InsideMac = insideMac, LastSeen = now };
            return ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_byInside, inside);
        }
        return ref System.Runtime.CompilerServices.Unsafe.NullRef<Translation>();
    }

    public void Expire(long now, uint outsideIp)
    {
        foreach (var (inside, t) in _byInside)
        {
            long limit = inside.Protocol switch { Frame.Tcp => t.Closing ? 30_000 : 7_200_000, Frame.Udp => 60_000, _ => 30_000 };
            if (now - t.LastSeen <= limit) continue;
            var answer = new FlowKey(inside.DestinationIp, outsideIp, inside.DestinationPort, t.OutsidePort, inside.Protocol);
            if (inside.Protocol == Frame.Icmp) answer = answer with { SourcePort = t.OutsidePort };
            _byOutside.Remove(answer);
            _byInside.Remove(inside);
        }
    }
}
