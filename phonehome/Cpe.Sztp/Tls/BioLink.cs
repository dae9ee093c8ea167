using System.Net.Sockets;

namespace Cpe.Sztp.Tls;

/// <summary>
/// Moves one OpenSSL connection's records between its memory BIOs and the socket: OpenSSL does the TLS work
/// synchronously in memory, the socket is awaited. Whatever OpenSSL wrote is sent before waiting for the peer.
/// </summary>
internal sealed class BioLink(Socket socket, SafeSsl ssl, nint input, nint output)
{
    readonly byte[] _buffer = new byte[16 * 1024];

    public async Task HandshakeAsync(CancellationToken ct)
    {
        while (true)
        {
            OpenSsl.ERR_clear_error();
            int done = OpenSsl.SSL_do_handshake(ssl);
            await SendPendingAsync(ct);
            if (done == 1) return;
            if (OpenSsl.SSL_get_error(ssl, done) != OpenSsl.SSL_ERROR_WANT_READ) throw OpenSsl.Fail("the TLS handshake");
            if (!await ReceiveAsync(ct)) throw new TlsException("the server closed the connection during the TLS handshake");
        }
    }

    public async Task WriteAsync(byte[] data, CancellationToken ct)
    {
        OpenSsl.ERR_clear_error();
        if (Write(data) != data.Length) throw OpenSsl.Fail("SSL_write");
        await SendPendingAsync(ct);
    }

    /// <summary>Reads the HTTP answer: until it is complete by its own framing, or the server closes.</summary>
    public async Task<HttpAnswer> ReadAnswerAsync(CancellationToken ct)
    {
        using var received = new MemoryStream();
        var plain = new byte[16 * 1024];
        while (true)
        {
            OpenSsl.ERR_clear_error();
            int n = Read(plain);
            if (n > 0)
            {
                received.Write(plain, 0, n);
                if (received.Length > ResumingTlsClient.MaxAnswerBytes) throw new TlsException($"the answer is larger than {ResumingTlsClient.MaxAnswerBytes} bytes");
                if (HttpAnswer.TryParse(received.GetBuffer().AsSpan(0, (int)received.Length), closed: false) is { } complete) return complete;
                continue;
            }
            int error = OpenSsl.SSL_get_error(ssl, n);
            if (error == OpenSsl.SSL_ERROR_ZERO_RETURN) break;   // close_notify
            if (error != OpenSsl.SSL_ERROR_WANT_READ) throw OpenSsl.Fail("reading the answer");
            await SendPendingAsync(ct);
            if (!await ReceiveAsync(ct)) break;                   // closed without close_notify: what arrived is all there is
        }
        return HttpAnswer.TryParse(received.GetBuffer().AsSpan(0, (int)received.Length), closed: true)
            ?? throw new TlsException($"the server closed the connection after {received.Length} bytes of an incomplete HTTP answer");
    }

    /// <summary>Sends close_notify (the peer may have closed already: then it is not sent, and that is fine).</summary>
    public async Task CloseAsync(CancellationToken ct)
    {
        OpenSsl.ERR_clear_error();
        OpenSsl.SSL_shutdown(ssl);
        OpenSsl.ERR_clear_error();
        try { await SendPendingAsync(ct); }
        catch (SocketException) { }
    }

    async Task SendPendingAsync(CancellationToken ct)
    {
        while (OpenSsl.BIO_ctrl_pending(output) > 0)
        {
            int n = TakeOutput();
            if (n <= 0) break;
            await socket.SendAsync(_buffer.AsMemory(0, n), SocketFlags.None, ct);
        }
    }

    async Task<bool> ReceiveAsync(CancellationToken ct)
    {
        int n = await socket.ReceiveAsync(_buffer, SocketFlags.None, ct);
        if (n == 0) return false;
        GiveInput(n);
        return true;
    }

    unsafe int Write(byte[] data)
    {
        // Safe: SSL_write reads data.Length bytes from the pinned array; the memory BIO takes a copy.
        fixed (byte* p = data) return OpenSsl.SSL_write(ssl, p, data.Length);
    }

    unsafe int Read(byte[] into)
    {
        // Safe: SSL_read writes at most into.Length bytes into the pinned array.
        fixed (byte* p = into) return OpenSsl.SSL_read(ssl, p, into.Length);
    }

    unsafe int TakeOutput()
    {
        // Safe: BIO_read writes at most _buffer.Length bytes into the pinned buffer.
        fixed (byte* p = _buffer) return OpenSsl.BIO_read(output, p, _buffer.Length);
    }

    unsafe void GiveInput(int length)
    {
        // Safe: BIO_write copies length (≤ _buffer.Length) bytes out of the pinned buffer; a memory BIO always takes all of it.
        fixed (byte* p = _buffer)
            if (OpenSsl.BIO_write(input, p, length) != length) throw OpenSsl.Fail("BIO_write");
    }
}
