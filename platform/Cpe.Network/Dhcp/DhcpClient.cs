using System.Net;
using System.Security.Cryptography;

namespace Cpe.Network.Dhcp;

/// <summary>
/// The DHCPv4 client exchanges (RFC 2131) for one interface: acquire (DISCOVER, OFFER, REQUEST, ACK),
/// renew (unicast REQUEST to the server), rebind (broadcast REQUEST) and release. Retransmits with
/// doubling waits; a NAK restarts acquisition. Option 143 is requested, as RFC 8572 asks.
/// </summary>
public sealed class DhcpClient(DhcpPacketSocket socket, byte[] mac, TimeProvider clock)
{
    /// <summary>What we ask servers for: mask, router, DNS, domain, NTP, vendor, lease, server, T1, T2, SZTP redirect.</summary>
    static readonly byte[] RequestedOptions = [1, 3, 6, 15, 42, 43, 51, 54, 58, 59, 143];

    /// <summary>The first wait for an answer; each retry doubles it (RFC 2131 suggests 4 s; a CPE on a LAN wants its lease sooner).</summary>
    public TimeSpan FirstWait { get; init; } = TimeSpan.FromSeconds(1);
    public int Attempts { get; init; } = 5;

    public async Task<DhcpLease> AcquireAsync(CancellationToken ct)
    {
        for (int round = 0; round < 3; round++)
        {
            uint xid = NewTransactionId();
            var offer = await ExchangeAsync(Message(xid, DhcpMessageType.Discover, IPAddress.Any), m => m.Options.MessageType == DhcpMessageType.Offer,
                null, null, "DISCOVER", ct);
            var server = offer.Message.Options.ServerIdentifier ?? throw new DhcpException("the OFFER has no server identifier");
            var request = Message(xid, DhcpMessageType.Request, IPAddress.Any);
            request.Options.Set(DhcpOptionCode.RequestedAddress, offer.Message.YourAddress.GetAddressBytes())
                .Set(DhcpOptionCode.ServerIdentifier, server.GetAddressBytes());
            var answer = await ExchangeAsync(request, m => m.Options.MessageType is DhcpMessageType.Ack or DhcpMessageType.Nak, null, null, "REQUEST", ct);
            if (answer.Message.Options.MessageType == DhcpMessageType.Ack) return DhcpLease.From(answer.Message, answer.SenderMac, clock.GetUtcNow());
            // A NAK: the offer went stale; start again with a new transaction.
        }
        throw new DhcpException("the DHCP server refused every request (NAK)");
    }

    /// <summary>RENEWING: a unicast REQUEST with our address to the server that gave the lease.</summary>
    public Task<DhcpLease> RenewAsync(DhcpLease lease, CancellationToken ct) => ExtendAsync(lease, unicast: true, ct);

    /// <summary>REBINDING: the same, broadcast, for any server that knows the lease.</summary>
    public Task<DhcpLease> RebindAsync(DhcpLease lease, CancellationToken ct) => ExtendAsync(lease, unicast: false, ct);

    /// <summary>Gives the address back; no answer is expected.</summary>
    public void Release(DhcpLease lease)
    {
        var release = Message(NewTransactionId(), DhcpMessageType.Release, lease.Address, broadcast: false);
        release.Options.Set(DhcpOptionCode.ServerIdentifier, lease.Server.GetAddressBytes());
        socket.Unicast(release.Encode(), lease.Address, lease.Server, lease.ServerMac);
    }

    async Task<DhcpLease> ExtendAsync(DhcpLease lease, bool unicast, CancellationToken ct)
    {
        var request = Message(NewTransactionId(), DhcpMessageType.Request, lease.Address, broadcast: false);
        var answer = await ExchangeAsync(request, m => m.Options.MessageType is DhcpMessageType.Ack or DhcpMessageType.Nak,
            unicast ? lease : null, lease.Address, unicast ? "REQUEST (renew)" : "REQUEST (rebind)", ct);
        if (answer.Message.Options.MessageType == DhcpMessageType.Nak)
            throw new DhcpException($"the server refused to extend the lease of {lease.Address} (NAK)");
        return DhcpLease.From(answer.Message, answer.SenderMac, clock.GetUtcNow());
    }

    /// <summary>Sends, waits for a matching answer, retransmits with doubling waits.</summary>
    async Task<(DhcpMessage Message, byte[] SenderMac)> ExchangeAsync(DhcpMessage request, Func<DhcpMessage, bool> wanted,
        DhcpLease? unicastTo, IPAddress? source, string what, CancellationToken ct)
    {
        var wait = FirstWait;
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            var bytes = request.Encode();
            if (unicastTo is not null) socket.Unicast(bytes, source!, unicastTo.Server, unicastTo.ServerMac);
            else socket.Broadcast(bytes);
            var deadline = clock.GetUtcNow() + wait;
            while (clock.GetUtcNow() < deadline)
            {
                var left = deadline - clock.GetUtcNow();
                // The socket's receive is a blocking wait: keep it off the caller's thread.
                var received = await Task.Run(() => socket.Receive(left, ct), ct);
                if (received is not var (dhcp, sender)) break;
                DhcpMessage reply;
                try { reply = DhcpMessage.Decode(dhcp); }
                catch (DhcpFormatException) { continue; }   // someone else's garbage is not our failure
                if (reply.Op == DhcpMessage.BootReply && reply.TransactionId == request.TransactionId
                    && reply.ClientHardwareAddress.AsSpan().SequenceEqual(mac) && wanted(reply))
                    return (reply, sender);
            }
            wait *= 2;
        }
        throw new DhcpException($"no DHCP server answered the {what} after {Attempts} tries");
    }

    DhcpMessage Message(uint xid, DhcpMessageType type, IPAddress clientAddress, bool broadcast = true)
    {
        var options = new DhcpOptions()
            .Set(DhcpOptionCode.MessageType, [(byte)type])
            .Set(DhcpOptionCode.ClientIdentifier, [1, .. mac])
            .Set(DhcpOptionCode.ParameterRequestList, RequestedOptions);
        // Broadcast replies: until it has its address, the client cannot take unicast ones.
        return new DhcpMessage(DhcpMessage.BootRequest, xid, 0, broadcast, clientAddress, IPAddress.Any, IPAddress.Any, IPAddress.Any, mac, options);
    }

    static uint NewTransactionId() => BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));
}
