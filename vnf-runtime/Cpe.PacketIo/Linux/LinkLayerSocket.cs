using System.Buffers.Binary;
using Cpe.Interop;
using static Cpe.Interop.Tpacket;

namespace Cpe.PacketIo.Linux;

/// <summary>
/// An AF_PACKET socket (packet(7)) for one EtherType on every interface of its namespace: whole Ethernet frames in,
/// each with the index of the interface it came in on, and frames out of a given interface. For the link-layer
/// protocols the platform listens to itself (LLDP), where one frame at a time is plenty; the VNFs' data plane uses
/// PacketPort's rings.
/// </summary>
public sealed class LinkLayerSocket : IDisposable
{
    readonly KernelSocket _socket;
    readonly ushort _etherType;

    LinkLayerSocket(KernelSocket socket, ushort etherType) => (_socket, _etherType) = (socket, etherType);

    /// <summary>A socket that receives frames of <paramref name="etherType"/> from every interface of the calling thread's namespace.</summary>
    public static LinkLayerSocket Open(ushort etherType) =>
        new(KernelSocket.Open(SockaddrLl.AF_PACKET, SOCK_RAW, BinaryPrimitives.ReverseEndianness(etherType), $"ethertype 0x{etherType:x4}"), etherType);

    /// <summary>
    /// Lets <paramref name="mac"/> (a multicast group, as LLDP's 01:80:c2:00:00:0e) through the address filter of
    /// interface <paramref name="ifIndex"/>: a real NIC drops multicast nobody asked for before any socket sees it.
    /// </summary>
    public void JoinMulticast(int ifIndex, ReadOnlySpan<byte> mac)
    {
        var request = new PacketMreq { IfIndex = ifIndex, Type = PACKET_MR_MULTICAST, AddressLength = (ushort)mac.Length };
        Span<byte> address = stackalloc byte[8];
        mac[..Math.Min(mac.Length, 8)].CopyTo(address);
        request.Address = BinaryPrimitives.ReadUInt64LittleEndian(address);   // the bytes in order, as the kernel reads them
        _socket.SetOption(SOL_PACKET, PACKET_ADD_MEMBERSHIP, request);
    }

    /// <summary>The next frame into <paramref name="buffer"/> within <paramref name="timeoutMs"/>: its length and interface, or null.</summary>
    public (int Length, int IfIndex)? Receive(Span<byte> buffer, int timeoutMs)
    {
        if (!_socket.WaitReadable(timeoutMs)) return null;
        return _socket.ReceiveFrom(buffer, out SockaddrLl from, MSG_DONTWAIT) is int n ? (n, from.sll_ifindex) : null;
    }

    /// <summary>Sends a whole Ethernet frame (header included) out of interface <paramref name="ifIndex"/>.</summary>
    public void Send(int ifIndex, ReadOnlySpan<byte> frame) =>
        _socket.SendTo(frame, new SockaddrLl { sll_family = SockaddrLl.AF_PACKET, sll_protocol = BinaryPrimitives.ReverseEndianness(_etherType), sll_ifindex = ifIndex });

    public void Dispose() => _socket.Dispose();
}
