using System.Net;
using Cpe.Interop;

namespace Cpe.Network.Dhcp;

/// <summary>
/// A packet socket (AF_PACKET, cooked) on one interface: DHCP runs before the interface has an address,
/// so the client sends and receives whole IPv4 packets itself. The receive side keeps only UDP to port 68.
/// </summary>
public sealed class DhcpPacketSocket : IDisposable
{
    const int SOCK_DGRAM = 2, ETH_P_IP = 0x0800;
    static readonly byte[] BroadcastMac = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    readonly KernelSocket _socket;
    readonly int _ifindex;
    readonly byte[] _buffer = new byte[2048];

    DhcpPacketSocket(KernelSocket socket, int ifindex) { _socket = socket; _ifindex = ifindex; }

    /// <summary>Opens the socket on interface <paramref name="ifindex"/>, in a network namespace when given.</summary>
    public static DhcpPacketSocket Open(int ifindex, string? namespacePath = null)
    {
        var socket = KernelSocket.Open(SockaddrLl.AF_PACKET, SOCK_DGRAM, Htons(ETH_P_IP), $"ifindex {ifindex}", namespacePath);
        try
        {
            socket.Bind(new SockaddrLl { sll_family = SockaddrLl.AF_PACKET, sll_protocol = (ushort)Htons(ETH_P_IP), sll_ifindex = ifindex });
            // Short receive timeouts let a waiting client notice cancellation and its own deadlines.
            socket.SetReceiveTimeout(TimeSpan.FromMilliseconds(100));
            return new DhcpPacketSocket(socket, ifindex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>From 0.0.0.0:68 to 255.255.255.255:67, to every host on the link.</summary>
    public void Broadcast(ReadOnlySpan<byte> dhcp) =>
        Send(Ipv4Udp.Wrap(dhcp, IPAddress.Any, IPAddress.Broadcast, Ipv4Udp.ClientPort, Ipv4Udp.ServerPort), BroadcastMac);

    /// <summary>To a known server (renew, release), from the leased address.</summary>
    public void Unicast(ReadOnlySpan<byte> dhcp, IPAddress source, IPAddress server, byte[] serverMac) =>
        Send(Ipv4Udp.Wrap(dhcp, source, server, Ipv4Udp.ClientPort, Ipv4Udp.ServerPort), serverMac);

    void Send(byte[] packet, byte[] mac)
    {
        var to = new SockaddrLl { sll_family = SockaddrLl.AF_PACKET, sll_protocol = (ushort)Htons(ETH_P_IP), sll_ifindex = _ifindex };
        to.SetAddress(mac);
        _socket.SendTo(packet, to);
    }

    /// <summary>The next DHCP payload for the client port and the sender's MAC, or null when none came within the wait.</summary>
    public (byte[] Dhcp, byte[] SenderMac)? Receive(TimeSpan wait, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + wait;
        while (DateTime.UtcNow < deadline && !ct.IsCancellationRequested)
        {
            if (_socket.ReceiveFrom(_buffer, out SockaddrLl from) is not int n) continue;   // the 100 ms receive timeout
            if (Ipv4Udp.Unwrap(_buffer.AsSpan(0, n), Ipv4Udp.ClientPort) is byte[] dhcp) return (dhcp, from.Address());
        }
        return null;
    }

    static int Htons(int v) => (ushort)(((v & 0xff) << 8) | ((v >> 8) & 0xff));

    public void Dispose() => _socket.Dispose();

}
