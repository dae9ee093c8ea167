using System.Net.Sockets;
using Cpe.Interop;

namespace Cpe.Sztp.Tls;

/// <summary>
/// Moves one TLS connection's records between the interop library's in-memory <see cref="TlsClientConnection"/> and
/// the socket: OpenSSL does the TLS work synchronously in memory, the socket is awaited. Whatever OpenSSL wrote is
/// sent before waiting for the peer.
/// </summary>
internal sealed class BioLink(Socket socket, TlsClientConnection tls)
{
    readonly byte[] _buffer = new byte[16 * 1024];

    public async Task HandshakeAsync(CancellationToken ct)
    {
        while (true)
        {
            bool done = tls.Handshake();
            await SendPendingAsync(ct);
            if (done) return;
            if (!await ReceiveAsync(ct)) throw new TlsException("the server closed the connection during the TLS handshake");
        }
    }

    public async Task WriteAsync(byte[] data, CancellationToken ct)
    {
        tls.Write(data);
        await SendPendingAsync(ct);
    }

    /// <summary>Reads the HTTP answer: until it is complete by its own framing, or the server closes.</summary>
    public async Task<HttpAnswer> ReadAnswerAsync(CancellationToken ct)
    {
        using var received = new MemoryStream();
        var plain = new byte[16 * 1024];
        while (true)
        {
            int? n = tls.Read(plain);
            if (n > 0)
            {
                received.Write(plain, 0, n.Value);
                if (received.Length > ResumingTlsClient.MaxAnswerBytes) throw new TlsException($"the answer is larger than {ResumingTlsClient.MaxAnswerBytes} bytes");
                if (HttpAnswer.TryParse(received.GetBuffer().AsSpan(0, (int)received.Length), closed: false) is { } complete) return complete;
                continue;
            }
            if (n == 0) break;                                    // close_notify
            await SendPendingAsync(ct);
            if (!await ReceiveAsync(ct)) break;                   // closed without close_notify: what arrived is all there is
        }
        return HttpAnswer.TryParse(received.GetBuffer().AsSpan(0, (int)received.Length), closed: true)
            ?? throw new TlsException($"the server closed the connection after {received.Length} bytes of an incomplete HTTP answer");
    }

    /// <summary>Sends close_notify (the peer may have closed already: then it is not sent, and that is fine).</summary>
    public async Task CloseAsync(CancellationToken ct)
    {
        tls.Shutdown();
        try { await SendPendingAsync(ct); }
        catch (SocketException) { }
    }

    async Task SendPendingAsync(CancellationToken ct)
    {
        for (int n; (n = tls.TakeOutput(_buffer)) > 0;)
            await socket.SendAsync(_buffer.AsMemory(0, n), SocketFlags.None, ct);
    }

    async Task<bool> ReceiveAsync(CancellationToken ct)
    {
        int n = await socket.ReceiveAsync(_buffer, SocketFlags.None, ct);
        if (n == 0) return false;
        tls.GiveInput(_buffer.AsSpan(0, n));
        return true;
    }
}
