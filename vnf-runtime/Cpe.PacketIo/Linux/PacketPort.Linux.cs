using Cpe.Interop;
using static Cpe.Interop.Tpacket;

namespace Cpe.PacketIo.Linux;

/// <summary>Ring sizes of one port, and the PACKET_FANOUT group it joins (replicas of a VNF on one interface).</summary>
public sealed record PortOptions(int RxBlocks = 16, int RxBlockSize = 1 << 16, int TxFrames = 1024, int FrameSize = 2048, int? FanoutGroup = null)
{
    /// <summary>Largest frame sent: a slot minus its header.</summary>
    public int MaxFrame => FrameSize - TxDataOffset;
}

/// <summary>
/// One interface as a VNF sees it (docs/reference/packet-io.md): an AF_PACKET socket bound to it, promiscuous, blind
/// to its own transmissions, with a TPACKET_V3 receive ring (blocks the kernel fills and hands over whole, retired
/// after 1 ms) and a TPACKET_V3 transmit ring of fixed slots, both in one shared mapping. Receiving walks a ready
/// block in place; sending copies into a free slot and marks it; <see cref="Flush"/> asks the kernel to send every
/// marked slot with one call. Nothing is allocated per packet.
/// </summary>
// SAFETY: the pointers below all lie inside the socket's ring mapping (_mapping), which lives as long as this port:
// block and slot offsets are multiples of the sizes the kernel was given for the rings, and a frame's offset and
// length are the kernel's own, within its block. The port is used by one thread (the pipeline's).
public sealed unsafe class PacketPort : IDisposable
{
    readonly KernelSocket _socket;
    readonly SocketMapping _mapping;
    readonly byte* _map, _tx;
    readonly PortOptions _options;
    int _rxBlock, _txNext, _txPending;

    public string Name { get; }
    public int IfIndex { get; }
    public PortCounters Counters { get; } = new();

    PacketPort(string name, int ifIndex, KernelSocket socket, SocketMapping mapping, PortOptions options)
    {
        Name = name;
        IfIndex = ifIndex;
        _socket = socket;
        _mapping = mapping;
        _map = mapping.Address;
        _options = options;
        _tx = _map + (nuint)(options.RxBlocks * options.RxBlockSize);
    }

    internal KernelSocket Socket => _socket;

    public static PacketPort Open(string name, PortOptions? options = null)
    {
        options ??= new PortOptions();
        int ifIndex = NetworkInterfaces.IndexOf(name) ?? throw new IOException($"there is no interface {name}");
        var socket = KernelSocket.Open(SockaddrLl.AF_PACKET, SOCK_RAW, Htons(ETH_P_ALL), name);
        try
        {
            socket.SetOption(SOL_PACKET, PACKET_VERSION, TPACKET_V3);
            socket.SetOption(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1);      // our own transmissions are not input
            socket.SetOption(SOL_PACKET, PACKET_QDISC_BYPASS, 1);         // straight to the driver, as a forwarding plane wants
            var rx = new TpacketReq3
            {
                BlockSize = (uint)options.RxBlockSize, BlockCount = (uint)options.RxBlocks, FrameSize = (uint)options.FrameSize,
                FrameCount = (uint)(options.RxBlockSize / options.FrameSize * options.RxBlocks), RetireBlockTimeoutMs = 1,
            };
            socket.SetOption(SOL_PACKET, PACKET_RX_RING, rx);
            int txBlockSize = options.RxBlockSize, txBlocks = Math.Max(1, options.TxFrames * options.FrameSize / txBlockSize);
            var tx = new TpacketReq3
            {
                BlockSize = (uint)txBlockSize, BlockCount = (uint)txBlocks, FrameSize = (uint)options.FrameSize,
                FrameCount = (uint)(txBlockSize / options.FrameSize * txBlocks),
            };
            socket.SetOption(SOL_PACKET, PACKET_TX_RING, tx);
            var mapping = SocketMapping.Map(socket, (nuint)(options.RxBlocks * options.RxBlockSize + txBlocks * txBlockSize));
            try
            {
                socket.SetOption(SOL_PACKET, PACKET_ADD_MEMBERSHIP, new PacketMreq { IfIndex = ifIndex, Type = PACKET_MR_PROMISC });
                socket.Bind(new SockaddrLl { sll_family = SockaddrLl.AF_PACKET, sll_protocol = Htons(ETH_P_ALL), sll_ifindex = ifIndex });
                if (options.FanoutGroup is int group)
                    socket.SetOption(SOL_PACKET, PACKET_FANOUT, (group & 0xffff) | (PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16);
                return new PacketPort(name, ifIndex, socket, mapping, options with { TxFrames = (int)tx.FrameCount });
            }
            catch
            {
                mapping.Dispose();
                throw;
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Hands each packet of the next ready block to <paramref name="sink"/> and gives the block back to the kernel;
    /// 0 when none is ready. The span is the frame in the ring: valid during the call only, and writable in place.
    /// </summary>
    public int ReceiveBlock<TSink>(ref TSink sink) where TSink : struct, IFrameSink
    {
        var block = (BlockDesc*)(_map + (nuint)(_rxBlock * _options.RxBlockSize));
        if ((Volatile.Read(ref block->BlockStatus) & TP_STATUS_USER) == 0) return 0;
        int count = (int)block->PacketCount;
        byte* packet = (byte*)block + block->OffsetToFirstPacket;
        for (int i = 0; i < count; i++)
        {
            var header = (Tpacket3Hdr*)packet;
            int length = (int)header->SnapLength;
            Counters.RxPackets++;
            Counters.RxBytes += length;
            var frame = new Span<byte>(packet + header->Mac, length);
            // Sent by this host with checksum offload: the transport checksum is still to be filled in.
            if ((header->Status & TP_STATUS_CSUMNOTREADY) != 0) Protocols.Checksum.CompleteTransport(frame);
            sink.OnFrame(this, frame);
            packet += header->NextOffset;
        }
        Volatile.Write(ref block->BlockStatus, TP_STATUS_KERNEL);
        _rxBlock = (_rxBlock + 1) % _options.RxBlocks;
        return count;
    }

    /// <summary>Copies <paramref name="frame"/> into the next free transmit slot; false (and counted) when the ring is full.</summary>
    public bool Send(ReadOnlySpan<byte> frame)
    {
        var slot = _tx + (nuint)(_txNext * _options.FrameSize);
        var header = (Tpacket3Hdr*)slot;
        // A slot is free again only when the kernel has freed the frame sent from it (for a veth: once the peer has
        // taken it). The ring full: hand over what is marked and wait up to 1 ms for room before dropping, so a
        // short stall on the far side becomes backpressure rather than loss.
        if (!IsFree(header) && frame.Length <= _options.MaxFrame)
        {
            Flush();
            _socket.WaitWritable(1);
        }
        if (!IsFree(header) || frame.Length > _options.MaxFrame)
        {
            Counters.TxDropped++;
            return false;
        }
        frame.CopyTo(new Span<byte>(slot + TxDataOffset, frame.Length));
        header->Length = (uint)frame.Length;
        header->SnapLength = (uint)frame.Length;
        Volatile.Write(ref header->Status, TP_STATUS_SEND_REQUEST);
        _txNext = (_txNext + 1) % _options.TxFrames;
        _txPending++;
        Counters.TxPackets++;
        Counters.TxBytes += frame.Length;
        return true;
    }

    static bool IsFree(Tpacket3Hdr* header) => (Volatile.Read(ref header->Status) & ~TP_STATUS_WRONG_FORMAT) == TP_STATUS_AVAILABLE;

    /// <summary>One system call sends every slot marked since the last flush.</summary>
    public void Flush()
    {
        if (_txPending == 0) return;
        _txPending = 0;
        _socket.TrySend(default, MSG_DONTWAIT);   // EAGAIN/ENOBUFS: the slots stay marked and go with the next flush
    }

    /// <summary>What the kernel dropped because the receive ring was full (read and reset by the kernel).</summary>
    public uint TakeKernelDrops() => _socket.TryGetOption(SOL_PACKET, PACKET_STATISTICS, out TpacketStatsV3 stats) ? stats.Drops : 0;

    static ushort Htons(int value) => (ushort)((value & 0xff) << 8 | (value >> 8 & 0xff));

    public void Dispose()
    {
        _mapping.Dispose();
        _socket.Dispose();
    }
}

/// <summary>Receives frames from <see cref="PacketPort.ReceiveBlock"/>: a struct, so the call is direct and nothing is boxed.</summary>
public interface IFrameSink
{
    void OnFrame(PacketPort from, Span<byte> frame);
}

/// <summary>A port's own counts (the interface's kernel counters are the platform's).</summary>
public sealed class PortCounters
{
    public long RxPackets, RxBytes, TxPackets, TxBytes, TxDropped;
}
