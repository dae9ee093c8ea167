using System.Net;
using System.Runtime.InteropServices;
using Cpe.Netlink;
using Tmds.Linux;

namespace Cpe.Network.Dhcp;

/// <summary>
/// A packet socket (AF_PACKET, cooked) on one interface: DHCP runs before the interface has an address,
/// so the client sends and receives whole IPv4 packets itself. The receive side keeps only UDP to port 68.
/// </summary>
public sealed class DhcpPacketSocket : IDisposable
{
    const int AF_PACKET = 17, SOCK_DGRAM = 2, ETH_P_IP = 0x0800, SOL_SOCKET = 1, SO_RCVTIMEO = 20, EAGAIN = 11, EINTR = 4;
    static readonly byte[] BroadcastMac = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    readonly int _fd;
    readonly int _ifindex;
    readonly byte[] _buffer = new byte[2048];

    DhcpPacketSocket(int fd, int ifindex) { _fd = fd; _ifindex = ifindex; }

    /// <summary>Opens the socket on interface <paramref name="ifindex"/>, in a network namespace when given.</summary>
    public static DhcpPacketSocket Open(int ifindex, string? namespacePath = null)
    {
        int fd = namespacePath is null ? Create(ifindex) : NetworkNamespace.CreateIn(namespacePath, () => Create(ifindex));
        return new DhcpPacketSocket(fd, ifindex);
    }

    static unsafe int Create(int ifindex)
    {
        int fd = LibC.socket(AF_PACKET, SOCK_DGRAM | LibC.SOCK_CLOEXEC, Htons(ETH_P_IP));
        if (fd < 0) throw new DhcpException($"cannot open a packet socket: errno {LibC.errno}");
        var address = new SockaddrLl { Family = AF_PACKET, Protocol = (ushort)Htons(ETH_P_IP), IfIndex = ifindex };
        if (LibC.bind(fd, (sockaddr*)&address, sizeof(SockaddrLl)) != 0)
        {
            int errno = LibC.errno;
            LibC.close(fd);
            throw new DhcpException($"cannot bind a packet socket to ifindex {ifindex}: errno {errno}");
        }
        // Short receive timeouts let a waiting client notice cancellation and its own deadlines.
        var timeout = new TimeVal { Seconds = 0, Microseconds = 100_000 };
        LibC.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(TimeVal));
        return fd;
    }

    /// <summary>From 0.0.0.0:68 to 255.255.255.255:67, to every host on the link.</summary>
    public void Broadcast(ReadOnlySpan<byte> dhcp) =>
        Send(Ipv4Udp.Wrap(dhcp, IPAddress.Any, IPAddress.Broadcast, Ipv4Udp.ClientPort, Ipv4Udp.ServerPort), BroadcastMac);

    /// <summary>To a known server (renew, release), from the leased address.</summary>
    public void Unicast(ReadOnlySpan<byte> dhcp, IPAddress source, IPAddress server, byte[] serverMac) =>
        Send(Ipv4Udp.Wrap(dhcp, source, server, Ipv4Udp.ClientPort, Ipv4Udp.ServerPort), serverMac);

    unsafe void Send(byte[] packet, byte[] mac)
    {
        var to = new SockaddrLl { Family = AF_PACKET, Protocol = (ushort)Htons(ETH_P_IP), IfIndex = _ifindex, HardwareLength = 6 };
        for (int i = 0; i < 6; i++) to.Address[i] = mac[i];
        fixed (byte* p = packet)
            if (LibC.sendto(_fd, p, packet.Length, 0, (sockaddr*)&to, sizeof(SockaddrLl)) < 0)
                throw new DhcpException($"sending on ifindex {_ifindex} failed: errno {LibC.errno}");
    }

    /// <summary>The next DHCP payload for the client port and the sender's MAC, or null when none came within the wait.</summary>
    public unsafe (byte[] Dhcp, byte[] SenderMac)? Receive(TimeSpan wait, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + wait;
        while (DateTime.UtcNow < deadline && !ct.IsCancellationRequested)
        {
            SockaddrLl from;
            socklen_t length = (uint)sizeof(SockaddrLl);
            long n;
            fixed (byte* p = _buffer) n = LibC.recvfrom(_fd, p, _buffer.Length, 0, (sockaddr*)&from, &length);
            if (n < 0)
            {
                int errno = LibC.errno;
                if (errno is EAGAIN or EINTR) continue;
                throw new DhcpException($"receiving on ifindex {_ifindex} failed: errno {errno}");
            }
            if (Ipv4Udp.Unwrap(_buffer.AsSpan(0, (int)n), Ipv4Udp.ClientPort) is byte[] dhcp)
            {
                var mac = new byte[6];
                for (int i = 0; i < 6; i++) mac[i] = from.Address[i];
                return (dhcp, mac);
            }
        }
        return null;
    }

    static int Htons(int v) => (ushort)(((v & 0xff) << 8) | ((v >> 8) & 0xff));

    public void Dispose() => LibC.close(_fd);

    /// <summary>struct sockaddr_ll.</summary>
    [StructLayout(LayoutKind.Sequential)]
    unsafe struct SockaddrLl
    {
        public ushort Family;
        public ushort Protocol;
        public int IfIndex;
        public ushort HardwareType;
        public byte PacketType;
        public byte HardwareLength;
        public fixed byte Address[8];
    }

    [StructLayout(LayoutKind.Sequential)]
    struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }
}
