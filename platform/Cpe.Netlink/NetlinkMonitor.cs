using System.Threading.Channels;
using Tmds.Linux;

namespace Cpe.Netlink;

/// <summary>What changed: a link (created, changed, removed) or an address (added, removed).</summary>
public abstract record NetlinkEvent
{
    public sealed record LinkChanged(LinkInfo Link) : NetlinkEvent;
    public sealed record LinkRemoved(int Index, string Name) : NetlinkEvent;
    public sealed record AddressAdded(AddressInfo Address) : NetlinkEvent;
    public sealed record AddressRemoved(AddressInfo Address) : NetlinkEvent;
}

/// <summary>
/// Subscribes to the kernel's link and address notifications (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
/// RTNLGRP_IPV6_IFADDR) and hands them out as <see cref="NetlinkEvent"/>s. A blocking receive loop on a
/// dedicated thread; a bounded queue that drops the oldest when nobody reads, so a stalled consumer
/// cannot make the kernel's socket buffer overflow unnoticed.
/// </summary>
public sealed class NetlinkMonitor : IDisposable
{
    const uint RTMGRP_LINK = 0x1, RTMGRP_IPV4_IFADDR = 0x10, RTMGRP_IPV6_IFADDR = 0x100;
    readonly int _fd;
    readonly Thread _thread;
    readonly Channel<NetlinkEvent> _events = Channel.CreateBounded<NetlinkEvent>(new BoundedChannelOptions(1024)
        { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    volatile bool _stopping;

    public ChannelReader<NetlinkEvent> Events => _events.Reader;

    /// <summary>Messages that did not parse; counted, never fatal.</summary>
    public long Malformed { get; private set; }

    /// <summary>Times the kernel dropped notifications (ENOBUFS): a consumer should then re-read the state.</summary>
    public long Overruns { get; private set; }

    NetlinkMonitor(int fd)
    {
        _fd = fd;
        _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = "netlink-monitor" };
        _thread.Start();
    }

    public static NetlinkMonitor Open(string? namespacePath = null) =>
        new(namespacePath is null ? Subscribe() : NetworkNamespace.CreateIn(namespacePath, Subscribe));

    static unsafe int Subscribe()
    {
        int fd = LibC.socket(Kernel.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, Kernel.NETLINK_ROUTE);
        if (fd < 0) throw new NetlinkException(LibC.errno, "socket", "NETLINK_ROUTE monitor");
        var address = new NetlinkSocket.SockaddrNl { nl_family = Kernel.AF_NETLINK, nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR };
        if (LibC.bind(fd, (sockaddr*)&address, sizeof(NetlinkSocket.SockaddrNl)) != 0)
        {
            int errno = LibC.errno;
            LibC.close(fd);
            throw new NetlinkException(errno, "bind", "NETLINK_ROUTE monitor");
        }
        // Wake up every 200 ms so Dispose can stop the loop without closing a descriptor under a read.
        var timeout = new TimeVal { Seconds = 0, Microseconds = 200_000 };
        LibC.setsockopt(fd, Kernel.SOL_SOCKET, Kernel.SO_RCVTIMEO, &timeout, sizeof(TimeVal));
        return fd;
    }

    unsafe void ReceiveLoop()
    {
        var buffer = new byte[64 * 1024];
        while (!_stopping)
        {
            long n;
            fixed (byte* p = buffer) n = LibC.recv(_fd, p, buffer.Length, 0);
            if (n <= 0)
            {
                int errno = LibC.errno;
                if (errno is Kernel.EAGAIN or Kernel.EINTR) continue;
                if (errno == Kernel.ENOBUFS) { Overruns++; continue; }   // events were lost: consumers re-read state
                break;
            }
            try
            {
                foreach (var m in NetlinkParser.Split(buffer.AsMemory(0, (int)n).ToArray()))
                    if (ToEvent(m) is NetlinkEvent e) _events.Writer.TryWrite(e);
            }
            catch (NetlinkFormatException) { Malformed++; }
        }
        _events.Writer.TryComplete();
    }

    static NetlinkEvent? ToEvent(NetlinkMessage m) => m.Type switch
    {
        Kernel.RTM_NEWLINK => new NetlinkEvent.LinkChanged(RtnlParser.Link(m.Payload.Span)),
        Kernel.RTM_DELLINK => RtnlParser.Link(m.Payload.Span) is var l ? new NetlinkEvent.LinkRemoved(l.Index, l.Name) : null,
        Kernel.RTM_NEWADDR => new NetlinkEvent.AddressAdded(RtnlParser.Address(m.Payload.Span)),
        Kernel.RTM_DELADDR => new NetlinkEvent.AddressRemoved(RtnlParser.Address(m.Payload.Span)),
        _ => null,
    };

    /// <summary>struct timeval on 64-bit Linux.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
        LibC.close(_fd);
    }
}
