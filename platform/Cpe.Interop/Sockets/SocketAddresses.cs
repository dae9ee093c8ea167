using System.Runtime.InteropServices;

namespace Cpe.Interop;

/// <summary>struct sockaddr_nl (linux/netlink.h): a netlink socket's address; <see cref="nl_groups"/> subscribes to multicast groups.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct SockaddrNl
{
    public const ushort AF_NETLINK = 16;
    public ushort nl_family;
    public ushort nl_pad;
    public uint nl_pid;
    public uint nl_groups;
}

/// <summary>struct sockaddr_ll (linux/if_packet.h): a packet socket's interface, protocol (network byte order) and peer address.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SockaddrLl
{
    public const ushort AF_PACKET = 17;
    public ushort sll_family;
    public ushort sll_protocol;
    public int sll_ifindex;
    public ushort sll_hatype;
    public byte sll_pkttype;
    public byte sll_halen;
    public fixed byte sll_addr[8];

    /// <summary>The first <see cref="sll_halen"/> bytes of the address (a MAC: 6).</summary>
    public readonly byte[] Address()
    {
        var mac = new byte[Math.Min((int)sll_halen, 8)];
        for (int i = 0; i < mac.Length; i++) mac[i] = sll_addr[i];
        return mac;
    }

    /// <summary>An address of <paramref name="mac"/>'s bytes (at most 8).</summary>
    public void SetAddress(ReadOnlySpan<byte> mac)
    {
        sll_halen = (byte)Math.Min(mac.Length, 8);
        for (int i = 0; i < sll_halen; i++) sll_addr[i] = mac[i];
    }
}
