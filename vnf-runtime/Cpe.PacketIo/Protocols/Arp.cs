using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Cpe.PacketIo.Protocols;

/// <summary>
/// ARP for VNFs that own IPv4 addresses (NAT, router): answers requests for an owned address, learns from every
/// ARP packet, builds requests, and keeps an IP-to-MAC table per port with an age. Frames are built in caller-owned
/// buffers; nothing is allocated per packet.
/// </summary>
public sealed class ArpTable(int ports)
{
    public const int FrameLength = 42;
    readonly Dictionary<uint, (ulong Mac, long Seen)>[] _entries = Enumerable.Range(0, ports).Select(_ => new Dictionary<uint, (ulong, long)>(1024)).ToArray();
    long _now = Environment.TickCount64;   // the time entries are stamped with, moved on by Age

    public bool TryGet(int port, uint ip, out ulong mac)
    {
        ref var e = ref CollectionsMarshal.GetValueRefOrNullRef(_entries[port], ip);
        mac = System.Runtime.CompilerServices.Unsafe.IsNullRef(ref e) ? 0 : e.Mac;
        return mac != 0;
    }

    public void Learn(int port, uint ip, ulong mac)
    {
        if (ip != 0 && mac != 0) _entries[port][ip] = (mac, _now);
    }

    /// <summary>Forgets entries not refreshed for <paramref name="maxAgeMs"/>.</summary>
    public void Age(long now, long maxAgeMs)
    {
        _now = now;
        foreach (var table in _entries)
            foreach (var (ip, e) in table)
                if (now - e.Seen > maxAgeMs) table.Remove(ip);
    }

    /// <summary>
    /// Handles an ARP frame that came in on <paramref name="port"/>, whose own address is <paramref name="ownIp"/>:
    /// learns the sender, and turns a request for <paramref name="ownIp"/> into its reply in place (send it back out
    /// of the same port). False when there is nothing to send.
    /// </summary>
    public bool Handle(int port, Span<byte> frame, uint ownIp, ulong ownMac)
    {
        if (frame.Length < FrameLength || BinaryPrimitives.ReadUInt16BigEndian(frame[14..]) != 1 || BinaryPrimitives.ReadUInt16BigEndian(frame[16..]) != 0x0800) return false;
        ushort op = BinaryPrimitives.ReadUInt16BigEndian(frame[20..]);
        ulong senderMac = Mac.Read(frame[22..]);
        uint senderIp = BinaryPrimitives.ReadUInt32BigEndian(frame[28..]);
        uint targetIp = BinaryPrimitives.ReadUInt32BigEndian(frame[38..]);
        Learn(port, senderIp, senderMac);
        if (op != 1 || targetIp != ownIp) return false;
        // The request becomes the reply: to the asker, from us, "ownIp is at ownMac".
        Mac.Write(frame, senderMac);
        Mac.Write(frame[6..], ownMac);
        BinaryPrimitives.WriteUInt16BigEndian(frame[20..], 2);
        Mac.Write(frame[22..], ownMac);
        BinaryPrimitives.WriteUInt32BigEndian(frame[28..], ownIp);
        Mac.Write(frame[32..], senderMac);
        BinaryPrimitives.WriteUInt32BigEndian(frame[38..], senderIp);
        return true;
    }

    /// <summary>Writes a broadcast "who has <paramref name="targetIp"/>" into <paramref name="frame"/> (42 bytes).</summary>
    public static void Request(Span<byte> frame, ulong ownMac, uint ownIp, uint targetIp)
    {
        Mac.Write(frame, 0xffff_ffff_ffff);
        Mac.Write(frame[6..], ownMac);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], Frame.EtherTypeArp);
        BinaryPrimitives.WriteUInt16BigEndian(frame[14..], 1);        // Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(frame[16..], 0x0800);   // IPv4
        frame[18] = 6;
        frame[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(frame[20..], 1);        // request
        Mac.Write(frame[22..], ownMac);
        BinaryPrimitives.WriteUInt32BigEndian(frame[28..], ownIp);
        Mac.Write(frame[32..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(frame[38..], targetIp);
    }
}

/// <summary>MAC addresses as the low 48 bits of a ulong (no arrays), read and written in frame order.</summary>
public static class Mac
{
    public static ulong Read(ReadOnlySpan<byte> b) => (ulong)BinaryPrimitives.ReadUInt16BigEndian(b) << 32 | BinaryPrimitives.ReadUInt32BigEndian(b[2..]);

    public static void Write(Span<byte> b, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(b[2..], (uint)mac);
    }

    /// <summary>An interface's own MAC, from sysfs (read-only /sys is mounted in every VNF).</summary>
    public static ulong OfInterface(string name) =>
        Convert.ToUInt64(File.ReadAllText($"/sys/class/net/{name}/address").Trim().Replace(":", ""), 16);
}

/// <summary>What every router hop does to a forwarded IPv4 frame.</summary>
public static class Hop
{
    /// <summary>TTL minus one (the header checksum updated incrementally) and the MACs of the next link.</summary>
    public static void Forward(Span<byte> frame, ulong from, ulong to)
    {
        int ttlAt = Frame.EthernetHeader + 8, sumAt = Frame.EthernetHeader + 10;
        ushort before = Frame.ReadUInt16(frame, ttlAt);
        frame[ttlAt]--;
        Frame.WriteUInt16(frame, sumAt, Checksum.Update(Frame.ReadUInt16(frame, sumAt), before, Frame.ReadUInt16(frame, ttlAt)));
        Mac.Write(frame, to);
        Mac.Write(frame[6..], from);
    }
}

/// <summary>ICMP a VNF that owns addresses answers itself.</summary>
public static class Icmp
{
    /// <summary>Turns an echo request to us into its reply in place (addresses and MACs swapped); false if it is not one.</summary>
    public static bool EchoReply(Span<byte> frame)
    {
        if (Frame.Protocol(frame) != Frame.Icmp || Frame.L4(frame) is not (>= 0 and var l4) || frame[l4] != 8) return false;
        Span<byte> mac = stackalloc byte[6];
        frame[..6].CopyTo(mac);
        frame[6..12].CopyTo(frame);
        mac.CopyTo(frame[6..]);
        uint src = Frame.SourceIp(frame), dst = Frame.DestinationIp(frame);
        Frame.WriteUInt32(frame, Frame.EthernetHeader + 12, dst);
        Frame.WriteUInt32(frame, Frame.EthernetHeader + 16, src);   // addresses swapped: the IP checksum is unchanged
        frame[l4] = 0;                                               // echo reply
        Frame.WriteUInt16(frame, l4 + 2, Checksum.Update(Frame.ReadUInt16(frame, l4 + 2), 0x0800, 0x0000));
        return true;
    }
}
