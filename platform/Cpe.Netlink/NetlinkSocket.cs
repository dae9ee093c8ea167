using System.Buffers.Binary;
using Cpe.Interop;

namespace Cpe.Netlink;

/// <summary>
/// An rtnetlink socket: one request at a time, answered by an ACK, an error or a (multi-part) dump.
/// Sequence numbers pair replies with requests. Blocking: requests are answered in microseconds.
/// </summary>
public sealed class NetlinkSocket : IDisposable
{
    readonly KernelSocket _socket;
    readonly byte[] _receive = new byte[64 * 1024];
    readonly Lock _gate = new();
    uint _sequence;
    bool _disposed;

    /// <summary>Requests that change the kernel (everything but RTM_GET*): what "a no-op reconcile sends nothing" counts.</summary>
    public long WriteRequests { get; private set; }

    /// <summary>Every request sent, reads included.</summary>
    public long Requests { get; private set; }

    NetlinkSocket(KernelSocket socket) { _socket = socket; }

    /// <summary>Opens a socket in the calling process's network namespace.</summary>
    public static NetlinkSocket Open() => new(CreateSocket());

    /// <summary>Opens a NETLINK_NETFILTER socket (nf_tables) in the calling process's network namespace.</summary>
    public static NetlinkSocket OpenNetfilter() => new(CreateSocket(Kernel.NETLINK_NETFILTER));

    /// <summary>A NETLINK_NETFILTER socket bound to another network namespace.</summary>
    public static NetlinkSocket OpenNetfilterIn(string namespacePath) => new(CreateSocket(Kernel.NETLINK_NETFILTER, namespacePath));

    /// <summary>
    /// Opens a socket in another network namespace (e.g. /run/netns/NAME or /proc/PID/ns/net). The socket
    /// stays bound to that namespace; only a short-lived thread of ours ever enters it.
    /// </summary>
    public static NetlinkSocket OpenIn(string namespacePath) => new(CreateSocket(Kernel.NETLINK_ROUTE, namespacePath));

    static KernelSocket CreateSocket() => CreateSocket(Kernel.NETLINK_ROUTE);

    static KernelSocket CreateSocket(int protocol, string? namespacePath = null)
    {
        const int SOCK_RAW = 3;
        var socket = KernelSocket.Open(Kernel.AF_NETLINK, SOCK_RAW, protocol, protocol == Kernel.NETLINK_ROUTE ? "NETLINK_ROUTE" : "NETLINK_NETFILTER", namespacePath);
        try
        {
            socket.Bind(new SockaddrNl { nl_family = SockaddrNl.AF_NETLINK });
            // Ask the kernel to explain refusals in words (extended ACK); harmless where unsupported.
            socket.TrySetOption(Kernel.SOL_NETLINK, Kernel.NETLINK_EXT_ACK, 1);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends a request and returns the reply messages (none for a plain ACK). Errors become <see cref="NetlinkException"/>.</summary>
    public List<NetlinkMessage> Transact(NetlinkWriter request, string target)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            uint sequence = ++_sequence;
            request.Stamp(sequence);
            ushort type = request.Type;
            Send(request.Message);
            Requests++;
            if (type is not (Kernel.RTM_GETLINK or Kernel.RTM_GETADDR or Kernel.RTM_GETROUTE or Kernel.RTM_GETNEIGH)) WriteRequests++;
            return ReceiveReply(sequence, RequestName(type), target);
        }
    }

    /// <summary>
    /// Sends an nfnetlink batch (begin, <paramref name="messages"/>, end) in one datagram: the kernel applies all of it
    /// or none. Every message asks for an ACK; the first error (the kernel reports each failed message) is thrown.
    /// </summary>
    public void TransactBatch(NetlinkWriter begin, IReadOnlyList<NetlinkWriter> messages, NetlinkWriter end, string target)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var datagram = new List<byte>();
            uint beginSequence = ++_sequence;
            begin.Stamp(beginSequence);
            datagram.AddRange(begin.Message.ToArray());
            var pending = new Dictionary<uint, int>();
            for (int i = 0; i < messages.Count; i++)
            {
                uint sequence = ++_sequence;
                messages[i].Stamp(sequence);
                pending[sequence] = i;
                datagram.AddRange(messages[i].Message.ToArray());
            }
            uint endSequence = ++_sequence;
            end.Stamp(endSequence);
            datagram.AddRange(end.Message.ToArray());
            Send(datagram.ToArray());
            Requests++;
            WriteRequests++;
            NetlinkException? first = null;
            while (pending.Count > 0)
            {
                int n = Receive();
                foreach (var m in NetlinkParser.Split(_receive.AsMemory(0, n).ToArray()))
                {
                    if (m.Type != Kernel.NLMSG_ERROR) continue;
                    var payload = m.Payload.Span;
                    if (payload.Length < 4) throw new NetlinkFormatException("truncated NLMSG_ERROR");
                    int error = BinaryPrimitives.ReadInt32LittleEndian(payload);
                    // The batch's own begin or end refused (no nf_tables in the kernel: EOPNOTSUPP): none of it was
                    // applied and no message's ACK will come, so waiting for them would wait forever.
                    if (error != 0 && (m.Sequence == beginSequence || m.Sequence == endSequence))
                        throw new NetlinkException(-error, "the nf_tables batch as a whole (is nf_tables in the kernel?)", target, ExtendedAckMessage(m));
                    if (!pending.Remove(m.Sequence, out int index)) continue;
                    if (error != 0 && first is null)
                        first = new NetlinkException(-error, $"nf_tables batch message {index + 1} of {messages.Count}", target, ExtendedAckMessage(m));
                }
                // After a failure the kernel aborts the batch; the ACKs of messages it never reached do not come.
                if (first is not null && !HasMore()) break;
            }
            if (first is not null) throw first;
        }
    }

    /// <summary>Whether another datagram is already waiting (MSG_PEEK | MSG_DONTWAIT).</summary>
    bool HasMore()
    {
        const int MSG_PEEK = 2, MSG_DONTWAIT = 0x40;
        Span<byte> one = stackalloc byte[1];
        return _socket.Receive(one, MSG_PEEK | MSG_DONTWAIT) > 0;
    }

    void Send(ReadOnlySpan<byte> message) => _socket.Send(message);

    List<NetlinkMessage> ReceiveReply(uint sequence, string request, string target)
    {
        var replies = new List<NetlinkMessage>();
        while (true)
        {
            int n = Receive();
            foreach (var m in NetlinkParser.Split(_receive.AsMemory(0, n).ToArray()))
            {
                if (m.Sequence != sequence) continue;   // a late answer to an earlier, abandoned request
                switch (m.Type)
                {
                    case Kernel.NLMSG_ERROR:
                        var payload = m.Payload.Span;
                        if (payload.Length < 4) throw new NetlinkFormatException("truncated NLMSG_ERROR");
                        int error = BinaryPrimitives.ReadInt32LittleEndian(payload);
                        if (error == 0) return replies;
                        throw new NetlinkException(-error, request, target, ExtendedAckMessage(m));
                    case Kernel.NLMSG_DONE:
                        return replies;
                    case Kernel.NLMSG_NOOP:
                        break;
                    default:
                        replies.Add(m);
                        // A single (not multi-part) answer to a GET ends the exchange.
                        if ((m.Flags & Kernel.NLM_F_MULTI) == 0) return replies;
                        break;
                }
            }
        }
    }

    /// <summary>The next datagram (blocking: a request is answered in microseconds).</summary>
    int Receive() => _socket.Receive(_receive) switch
    {
        null => throw new NetlinkFormatException("netlink socket: no answer"),
        0 => throw new NetlinkFormatException("netlink socket closed"),
        int n => n,
    };

    /// <summary>NLMSGERR_ATTR_MSG after the echoed request header, when the kernel sent one.</summary>
    static string? ExtendedAckMessage(NetlinkMessage m)
    {
        if ((m.Flags & Kernel.NLM_F_ACK_TLVS) == 0) return null;
        var payload = m.Payload.Span;
        if (payload.Length < 4 + Kernel.NLMSG_HDRLEN) return null;
        // With NLM_F_CAPPED unset the whole request is echoed; its length is in the echoed header.
        uint echoed = (m.Flags & 0x100) != 0 ? Kernel.NLMSG_HDRLEN : BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
        int offset = 4 + NetlinkWriter.Align((int)Math.Min(echoed, (uint)payload.Length - 4));
        if (offset >= payload.Length) return null;
        try
        {
            foreach (var a in new NetlinkAttributes(payload[offset..]))
                if (a.Type == Kernel.NLMSGERR_ATTR_MSG) return a.Str;
        }
        catch (NetlinkFormatException) { }
        return null;
    }

    static string RequestName(ushort type) => type switch
    {
        Kernel.RTM_NEWLINK => "RTM_NEWLINK",
        Kernel.RTM_DELLINK => "RTM_DELLINK",
        Kernel.RTM_GETLINK => "RTM_GETLINK",
        Kernel.RTM_SETLINK => "RTM_SETLINK",
        Kernel.RTM_NEWADDR => "RTM_NEWADDR",
        Kernel.RTM_DELADDR => "RTM_DELADDR",
        Kernel.RTM_GETADDR => "RTM_GETADDR",
        Kernel.RTM_NEWNEIGH => "RTM_NEWNEIGH",
        Kernel.RTM_DELNEIGH => "RTM_DELNEIGH",
        Kernel.RTM_GETNEIGH => "RTM_GETNEIGH",
        Kernel.RTM_NEWROUTE => "RTM_NEWROUTE",
        Kernel.RTM_DELROUTE => "RTM_DELROUTE",
        Kernel.RTM_GETROUTE => "RTM_GETROUTE",
        _ => $"netlink type {type}",
    };

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _socket.Dispose();
        }
    }
}
