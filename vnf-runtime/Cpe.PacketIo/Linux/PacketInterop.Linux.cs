using System.Runtime.InteropServices;

namespace Cpe.PacketIo.Linux;

/// <summary>The AF_PACKET, mmap and poll calls and structures of linux/if_packet.h, under the kernel's names.</summary>
static partial class PacketInterop
{
    public const int AF_PACKET = 17, SOCK_RAW = 3, SOL_PACKET = 263, ETH_P_ALL = 0x0003;
    public const int PACKET_ADD_MEMBERSHIP = 1, PACKET_RX_RING = 5, PACKET_STATISTICS = 6, PACKET_VERSION = 10, PACKET_TX_RING = 13,
        PACKET_FANOUT = 18, PACKET_QDISC_BYPASS = 20, PACKET_IGNORE_OUTGOING = 23;
    public const int PACKET_MR_PROMISC = 1, TPACKET_V3 = 2;
    public const int PACKET_FANOUT_HASH = 0, PACKET_FANOUT_FLAG_DEFRAG = 0x8000;
    public const uint TP_STATUS_KERNEL = 0, TP_STATUS_USER = 1, TP_STATUS_AVAILABLE = 0, TP_STATUS_SEND_REQUEST = 1, TP_STATUS_WRONG_FORMAT = 4, TP_STATUS_CSUMNOTREADY = 8;
    public const int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MAP_LOCKED = 0x2000;
    public const short POLLIN = 1, POLLOUT = 4;
    public const int MSG_DONTWAIT = 0x40;
    /// <summary>Where a frame's data starts in a TX ring slot: TPACKET_ALIGN(sizeof(struct tpacket3_hdr)).</summary>
    public const int TxDataOffset = 48;

    [StructLayout(LayoutKind.Sequential)]
    public struct TpacketReq3
    {
        public uint BlockSize, BlockCount, FrameSize, FrameCount, RetireBlockTimeoutMs, SizeofPriv, FeatureReqWord;
    }

    /// <summary>struct tpacket_block_desc with its tpacket_hdr_v1 (the parts read).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct BlockDesc
    {
        public uint Version, OffsetToPriv;
        public uint BlockStatus, PacketCount, OffsetToFirstPacket, BlockLength;
        public ulong SequenceNumber;
    }

    /// <summary>struct tpacket3_hdr (48 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Tpacket3Hdr
    {
        public uint NextOffset, Sec, Nsec, SnapLength, Length, Status;
        public ushort Mac, Net;
        public uint RxHash, VlanTci;
        public ushort VlanTpid, Padding;
        public ulong Padding2;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrLl
    {
        public ushort Family, Protocol;
        public int IfIndex;
        public ushort HaType;
        public byte PacketType, HaLength;
        public ulong Address;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PacketMreq
    {
        public int IfIndex;
        public ushort Type, AddressLength;
        public ulong Address;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct TpacketStatsV3 { public uint Packets, Drops, FreezeQueueCount; }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd { public int Fd; public short Events, Revents; }

    [LibraryImport("libc", SetLastError = true)] public static partial int socket(int domain, int type, int protocol);
    [LibraryImport("libc", SetLastError = true)] public static unsafe partial int setsockopt(int fd, int level, int name, void* value, uint length);
    [LibraryImport("libc", SetLastError = true)] public static unsafe partial int getsockopt(int fd, int level, int name, void* value, uint* length);
    [LibraryImport("libc", SetLastError = true)] public static unsafe partial int bind(int fd, SockaddrLl* address, uint length);
    [LibraryImport("libc", SetLastError = true)] public static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);
    [LibraryImport("libc", SetLastError = true)] public static partial int munmap(nint address, nuint length);
    [LibraryImport("libc", SetLastError = true)] public static unsafe partial int poll(PollFd* fds, nuint count, int timeout);
    [LibraryImport("libc", SetLastError = true)] public static partial nint send(int fd, nint buffer, nuint length, int flags);
    [LibraryImport("libc", SetLastError = true)] public static unsafe partial nint recvfrom(int fd, byte* buffer, nuint length, int flags, SockaddrLl* from, uint* fromLength);
    [LibraryImport("libc", SetLastError = true)] public static unsafe partial nint sendto(int fd, byte* buffer, nuint length, int flags, SockaddrLl* to, uint toLength);
    [LibraryImport("libc", SetLastError = true)] public static partial int close(int fd);
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)] public static partial uint if_nametoindex(string name);

    public static int Check(int rc, string call, string what) =>
        rc >= 0 ? rc : throw new IOException($"{call} ({what}) failed: errno {Marshal.GetLastPInvokeError()}");
}
