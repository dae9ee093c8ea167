using System.Buffers.Binary;
using System.Runtime.InteropServices;
using static Cpe.PacketIo.Linux.PacketInterop;

namespace Cpe.PacketIo.Linux;

/// <summary>
/// An AF_PACKET socket (packet(7)) for one EtherType on every interface of its namespace: whole Ethernet frames in,
/// each with the index of the interface it came in on, and frames out of a given interface. For the link-layer
/// protocols the platform listens to itself (LLDP), where one frame at a time is plenty; the VNFs' data plane uses
/// PacketPort's rings.
/// </summary>
public sealed class LinkLayerSocket : IDisposable
{
    const int PACKET_MR_MULTICAST = 0, MSG_DONTWAIT = 0x40, EAGAIN = 11, EINTR = 4;
    readonly int _fd;
    readonly ushort _etherType;

    LinkLayerSocket(int fd, ushort etherType) => (_fd, _etherType) = (fd, etherType);

    /// <summary>A socket that receives frames of <paramref name="etherType"/> from every interface of the calling thread's namespace.</summary>
    public static LinkLayerSocket Open(ushort etherType)
    {
        const int SOCK_CLOEXEC = 0x80000;
        int fd = Check(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, BinaryPrimitives.ReverseEndianness(etherType)), "socket", $"ethertype 0x{etherType:x4}");
        return new LinkLayerSocket(fd, etherType);
    }

    /// <summary>
    /// Lets <paramref name="mac"/> (a multicast group, as LLDP's 01:80:c2:00:00:0e) through the address filter of
    /// interface <paramref name="ifIndex"/>: a real NIC drops multicast nobody asked for before any socket sees it.
    /// </summary>
    public unsafe void JoinMulticast(int ifIndex, ReadOnlySpan<byte> mac)
    {
        var request = new PacketMreq { IfIndex = ifIndex, Type = PACKET_MR_MULTICAST, AddressLength = (ushort)mac.Length };
        mac[..Math.Min(mac.Length, 8)].CopyTo(new Span<byte>(&request.Address, 8));   // safe: at most 8 bytes into the struct's 8-byte field on this frame
        Check(setsockopt(_fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &request, (uint)sizeof(PacketMreq)), "setsockopt PACKET_ADD_MEMBERSHIP", $"ifindex {ifIndex}");
    }

    /// <summary>The next frame into <paramref name="buffer"/> within <paramref name="timeoutMs"/>: its length and interface, or null.</summary>
    public unsafe (int Length, int IfIndex)? Receive(Span<byte> buffer, int timeoutMs)
    {
        var one = new PollFd { Fd = _fd, Events = POLLIN };
        int ready = poll(&one, 1, timeoutMs);   // safe: one struct on this frame, count 1
        if (ready < 0 && Marshal.GetLastPInvokeError() != EINTR) throw new IOException($"poll (AF_PACKET) failed: errno {Marshal.GetLastPInvokeError()}");
        if (ready <= 0) return null;
        SockaddrLl from;
        uint length = (uint)sizeof(SockaddrLl);
        nint n;
        fixed (byte* p = buffer)   // safe: the kernel writes at most buffer.Length bytes, and the address into a local of its size
            n = recvfrom(_fd, p, (nuint)buffer.Length, MSG_DONTWAIT, &from, &length);
        if (n >= 0) return ((int)n, from.IfIndex);
        int errno = Marshal.GetLastPInvokeError();
        return errno is EAGAIN or EINTR ? null : throw new IOException($"recvfrom (AF_PACKET) failed: errno {errno}");
    }

    /// <summary>Sends a whole Ethernet frame (header included) out of interface <paramref name="ifIndex"/>.</summary>
    public unsafe void Send(int ifIndex, ReadOnlySpan<byte> frame)
    {
        var to = new SockaddrLl { Family = AF_PACKET, Protocol = BinaryPrimitives.ReverseEndianness(_etherType), IfIndex = ifIndex };
        nint n;
        fixed (byte* p = frame)   // safe: the kernel reads frame.Length bytes from the pinned span
            n = sendto(_fd, p, (nuint)frame.Length, 0, &to, (uint)sizeof(SockaddrLl));
        if (n < 0) throw new IOException($"sendto (AF_PACKET, ifindex {ifIndex}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public void Dispose() => close(_fd);
}
