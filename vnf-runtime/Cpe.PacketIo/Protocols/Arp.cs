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
