using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cpe.Interop;
using Cpe.Network;

namespace Cpe.Network.Diagnostics;

/// <summary>One echo request: where to, from where (namespace, source address, device), how big, how far (TTL), how long to wait.</summary>
public sealed record ProbeRequest(IPAddress Destination, ushort Identifier, ushort Sequence, int PayloadBytes, TimeSpan Wait,
    int? Ttl = null, IPAddress? Source = null, string? Device = null, bool DontFragment = false, string? NamespacePath = null);

/// <summary>What one echo request got: the answer, who sent it, and the round trip.</summary>
public sealed record ProbeAnswer(ProbeOutcome Outcome, IPAddress? From, int Bytes, int? Ttl, TimeSpan? RoundTrip, string? Detail, string? Flag);

/// <summary>A refused probe: a source address or device that is not there, a size the socket cannot send.</summary>
public sealed class ProbeException(string message) : NetworkException(message);

/// <summary>
/// Sends one ICMP echo request from a raw socket and waits for what answers it: what ping and traceroute are made of,
/// in the platform's own code (no ping binary), in the platform's namespace or a VNF's. A raw socket sees every ICMP
/// message of its namespace, so the answer is matched by identifier and sequence, and a filter keeps the rest out.
/// </summary>
public static class IcmpProbe
{
    public const int MaxPayloadBytes = 65_468;   // as Junos allows: what fits one IPv4 datagram with any options
    const int SOL_SOCKET = 1, SO_BINDTODEVICE = 25, SOL_RAW = 255, ICMP_FILTER = 1;
    const int IPPROTO_IP = 0, IP_MTU_DISCOVER = 10, IPPROTO_IPV6 = 41, IPV6_MTU_DISCOVER = 23, IP_PMTUDISC_DO = 2;
    const int IPPROTO_ICMPV6 = 58, ICMP6_FILTER = 1;

    public static async Task<ProbeAnswer> SendAsync(ProbeRequest r, CancellationToken ct)
    {
        var family = r.Destination.AddressFamily;
        using var socket = Open(family, r.NamespacePath);
        Configure(socket, r);
        byte[] request = IcmpMessages.EchoRequest(family, r.Identifier, r.Sequence, r.PayloadBytes);
        var clock = Stopwatch.StartNew();
        try { await socket.SendToAsync(request, SocketFlags.None, new IPEndPoint(r.Destination, 0), ct); }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.NetworkUnreachable or SocketError.HostUnreachable
            or SocketError.MessageSize or SocketError.AccessDenied or SocketError.AddressNotAvailable || e.ErrorCode == 1 /* EPERM */)
        {
            // The box's own stack refused it (no route, larger than the MTU with don't-fragment, a local firewall rule).
            return new ProbeAnswer(ProbeOutcome.Unreachable, null, 0, null, null, $"not sent: {e.Message}", e.SocketErrorCode == SocketError.MessageSize ? "!F" : "!N");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(r.Wait);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(65_536);
        try
        {
            EndPoint any = new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            while (true)
            {
                SocketReceiveFromResult got;
                try { got = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, timeout.Token); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    return new ProbeAnswer(ProbeOutcome.Timeout, null, 0, null, null, null, null);
                }
                if (IcmpMessages.Match(buffer.AsSpan(0, got.ReceivedBytes), family, r.Identifier, r.Sequence) is not { } answer) continue;
                return new ProbeAnswer(answer.Outcome, ((IPEndPoint)got.RemoteEndPoint).Address, answer.Bytes, answer.Ttl, clock.Elapsed, answer.Detail, answer.Flag);
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    /// <summary>A raw ICMP socket, made in <paramref name="namespacePath"/> when given (a socket keeps the namespace it was made in).</summary>
    static Socket Open(AddressFamily family, string? namespacePath)
    {
        bool v6 = family == AddressFamily.InterNetworkV6;
        if (namespacePath is null) return new Socket(family, SocketType.Raw, v6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp);
        return Namespaces.Run(namespacePath, Namespaces.CLONE_NEWNET, () => new Socket(family, SocketType.Raw, v6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp));
    }

    static void Configure(Socket socket, ProbeRequest r)
    {
        bool v6 = r.Destination.AddressFamily == AddressFamily.InterNetworkV6;
        // Only echo replies and the errors that quote a request reach this socket, not every ICMP message of the namespace.
        if (v6) socket.SetRawSocketOption(IPPROTO_ICMPV6, ICMP6_FILTER, Icmp6PassOnly(1, 2, 3, 129));
        else socket.SetRawSocketOption(SOL_RAW, ICMP_FILTER, BitConverter.GetBytes(~((1u << 0) | (1u << 3) | (1u << 11))));
        try
        {
            if (r.Device is string device) socket.SetRawSocketOption(SOL_SOCKET, SO_BINDTODEVICE, System.Text.Encoding.ASCII.GetBytes(device + "\0"));
        }
        catch (SocketException e) { throw new ProbeException($"interface {r.Device}: {e.Message}"); }
        try
        {
            if (r.Source is IPAddress source) socket.Bind(new IPEndPoint(source, 0));
        }
        catch (SocketException e) { throw new ProbeException($"source {r.Source}: {e.Message}"); }
        if (r.Ttl is int ttl) socket.Ttl = (short)ttl;
        if (r.DontFragment) socket.SetRawSocketOption(v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU_DISCOVER : IP_MTU_DISCOVER, BitConverter.GetBytes(IP_PMTUDISC_DO));
    }

    /// <summary>struct icmp6_filter with every type blocked but <paramref name="types"/> (a set bit blocks, as in linux/icmpv6.h).</summary>
    static byte[] Icmp6PassOnly(params byte[] types)
    {
        var words = new uint[8];
        Array.Fill(words, uint.MaxValue);
        foreach (byte t in types) words[t >> 5] &= ~(1u << (t & 31));
        return words.SelectMany(BitConverter.GetBytes).ToArray();
    }
}
