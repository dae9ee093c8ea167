using System.Runtime.InteropServices;

namespace Cpe.Interop;

/// <summary>
/// The packet socket's options and TPACKET_V3 ring structures of linux/if_packet.h, under the kernel's names: what a
/// VNF's ports (Cpe.PacketIo's PacketPort) set on a <see cref="KernelSocket"/> and walk in its <see cref="SocketMapping"/>.
/// </summary>
public static class Tpacket
{
    public const int SOCK_RAW = 3, SOL_PACKET = 263, ETH_P_ALL = 0x0003;
    public const int PACKET_ADD_MEMBERSHIP = 1, PACKET_RX_RING = 5, PACKET_STATISTICS = 6, PACKET_VERSION = 10, PACKET_TX_RING = 13,
        PACKET_FANOUT = 18, PACKET_QDISC_BYPASS = 20, PACKET_IGNORE_OUTGOING = 23;
    public const int PACKET_MR_MULTICAST = 0, PACKET_MR_PROMISC = 1, TPACKET_V3 = 2;
    public const int PACKET_FANOUT_HASH = 0, PACKET_FANOUT_FLAG_DEFRAG = 0x8000;
    public const uint TP_STATUS_KERNEL = 0, TP_STATUS_USER = 1, TP_STATUS_AVAILABLE = 0, TP_STATUS_SEND_REQUEST = 1, TP_STATUS_WRONG_FORMAT = 4, TP_STATUS_CSUMNOTREADY = 8;
    public const int MSG_DONTWAIT = 0x40;
    /// <summary>Where a frame's data starts in a TX ring slot: TPACKET_ALIGN(sizeof(struct tpacket3_hdr)).</summary>
    public const int TxDataOffset = 48;

    /// <summary>struct tpacket_req3.</summary>
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

    /// <summary>struct packet_mreq.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PacketMreq
    {
        public int IfIndex;
        public ushort Type, AddressLength;
        public ulong Address;
    }

    /// <summary>struct tpacket_stats_v3.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TpacketStatsV3 { public uint Packets, Drops, FreezeQueueCount; }
}
