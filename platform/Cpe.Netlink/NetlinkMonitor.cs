using System.Threading.Channels;
using Cpe.Interop;

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
    readonly KernelSocket _socket;
    readonly Thread _thread;
    readonly Channel<NetlinkEvent> _events = Channel.CreateBounded<NetlinkEvent>(new BoundedChannelOptions(1024)
    { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    volatile bool _stopping;

    public ChannelReader<NetlinkEvent> Events => _events.Reader;

    /// <summary>Messages that did not parse; counted, never fatal.</summary>
    public long Malformed { get; private set; }

    /// <summary>Times the kernel dropped notifications (ENOBUFS): a consumer should then re-read the state.</summary>
    public long Overruns { get; private set; }

    NetlinkMonitor(KernelSocket socket)
    {
        _socket = socket;
        _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = "netlink-monitor" };
        _thread.Start();
    }

    public static NetlinkMonitor Open(string? namespacePath = null) => new(Subscribe(namespacePath));

    static KernelSocket Subscribe(string? namespacePath)
    {
        const int SOCK_RAW = 3;
        var socket = KernelSocket.Open(Kernel.AF_NETLINK, SOCK_RAW, Kernel.NETLINK_ROUTE, "NETLINK_ROUTE monitor", namespacePath);
        try
        {
            socket.Bind(new SockaddrNl { nl_family = SockaddrNl.AF_NETLINK, nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR });
            // Wake up every 200 ms so Dispose can stop the loop without closing a descriptor under a read.
            socket.SetReceiveTimeout(TimeSpan.FromMilliseconds(200));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    void ReceiveLoop()
    {
        var buffer = new byte[64 * 1024];
        while (!_stopping)
        {
            int? n;
            try { n = _socket.Receive(buffer); }
            catch (LinuxException e) when (e.Errno == Kernel.ENOBUFS) { Overruns++; continue; }   // events were lost: consumers re-read state
            catch (LinuxException) { break; }
            if (n is null) continue;   // the 200 ms receive timeout: look at _stopping again
            if (n == 0) break;
            try
            {
                foreach (var m in NetlinkParser.Split(buffer.AsMemory(0, n.Value).ToArray()))
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

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
        _socket.Dispose();
    }
}
