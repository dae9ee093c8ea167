namespace Cpe.Interop;

/// <summary>
/// One TLS 1.3 client connection done by OpenSSL in memory (libssl 3 through memory BIOs): the caller moves the records
/// between <see cref="TakeOutput"/>/<see cref="GiveInput"/> and its socket, so the socket stays .NET's and async while
/// OpenSSL works synchronously. Unlike SslStream, it resumes a session with a client certificate
/// (<see cref="TlsSessionTicket"/>). Failures are <see cref="TlsException"/>s with OpenSSL's reasons.
/// </summary>
public sealed class TlsClientConnection : IDisposable
{
    static readonly Lazy<SafeSslContext> Context = new(OpenSsl.NewClientContext);
    readonly SafeSsl _ssl;
    readonly nint _input, _output;

    TlsClientConnection(SafeSsl ssl, nint input, nint output) => (_ssl, _input, _output) = (ssl, input, output);

    /// <summary>
    /// A connection presenting <paramref name="identity"/>, naming <paramref name="serverName"/> (SNI, for a DNS name
    /// only) and offering <paramref name="resume"/>'s session when given. Nothing is sent until <see cref="Handshake"/>.
    /// </summary>
    public static TlsClientConnection Start(TlsClientIdentity identity, string? serverName, TlsSessionTicket? resume)
    {
        var (ssl, input, output) = OpenSsl.NewConnection(Context.Value, identity.Certificate, identity.Key, serverName, resume?.Session);
        return new TlsClientConnection(ssl, input, output);
    }

    /// <summary>One handshake step: true when the handshake is done, false when it waits for the server's records (<see cref="GiveInput"/>).</summary>
    public bool Handshake()
    {
        OpenSsl.ERR_clear_error();
        int done = OpenSsl.SSL_do_handshake(_ssl);
        if (done == 1) return true;
        return OpenSsl.SSL_get_error(_ssl, done) == OpenSsl.SSL_ERROR_WANT_READ ? false : throw OpenSsl.Fail("the TLS handshake");
    }

    /// <summary>Whether the handshake resumed the offered session.</summary>
    public bool Resumed => OpenSsl.SSL_session_reused(_ssl) == 1;

    /// <summary>Encrypts all of <paramref name="plain"/> into records waiting in <see cref="TakeOutput"/>.</summary>
    public unsafe void Write(ReadOnlySpan<byte> plain)
    {
        OpenSsl.ERR_clear_error();
        int n;
        // SAFETY: SSL_write reads plain.Length bytes from the pinned span; the memory BIO takes a copy.
        fixed (byte* p = plain) n = OpenSsl.SSL_write(_ssl, p, plain.Length);
        if (n != plain.Length) throw OpenSsl.Fail("SSL_write");
    }

    /// <summary>Decrypted bytes into <paramref name="plain"/>: their count; 0 when the server closed (close_notify); null when more records are needed.</summary>
    public unsafe int? Read(Span<byte> plain)
    {
        OpenSsl.ERR_clear_error();
        int n;
        // SAFETY: SSL_read writes at most plain.Length bytes into the pinned span.
        fixed (byte* p = plain) n = OpenSsl.SSL_read(_ssl, p, plain.Length);
        if (n > 0) return n;
        return OpenSsl.SSL_get_error(_ssl, n) switch
        {
            OpenSsl.SSL_ERROR_ZERO_RETURN => 0,
            OpenSsl.SSL_ERROR_WANT_READ => null,
            _ => throw OpenSsl.Fail("SSL_read"),
        };
    }

    /// <summary>Queues close_notify (the peer may have closed already: then nothing is queued, and that is fine).</summary>
    public void Shutdown()
    {
        OpenSsl.ERR_clear_error();
        OpenSsl.SSL_shutdown(_ssl);
        OpenSsl.ERR_clear_error();
    }

    /// <summary>Records to send to the server, copied into <paramref name="buffer"/>: their length, 0 when none wait.</summary>
    public unsafe int TakeOutput(Span<byte> buffer)
    {
        if (OpenSsl.BIO_ctrl_pending(_output) == 0) return 0;
        // SAFETY: BIO_read writes at most buffer.Length bytes into the pinned span.
        fixed (byte* p = buffer) return Math.Max(0, OpenSsl.BIO_read(_output, p, buffer.Length));
    }

    /// <summary>Records received from the server.</summary>
    public unsafe void GiveInput(ReadOnlySpan<byte> records)
    {
        // SAFETY: BIO_write copies records.Length bytes out of the pinned span; a memory BIO always takes all of it.
        fixed (byte* p = records)
            if (OpenSsl.BIO_write(_input, p, records.Length) != records.Length) throw OpenSsl.Fail("BIO_write");
    }

    /// <summary>The session with the ticket the server sent after the handshake, to resume with next time; null when it cannot be resumed.</summary>
    public TlsSessionTicket? TakeTicket()
    {
        var session = OpenSsl.SSL_get1_session(_ssl);
        if (!session.IsInvalid && OpenSsl.SSL_SESSION_is_resumable(session) == 1) return new TlsSessionTicket(session);
        session.Dispose();
        return null;
    }

    public void Dispose() => _ssl.Dispose();   // frees its BIOs too
}

/// <summary>A client's certificate and private key as OpenSSL holds them, loaded once for many connections.</summary>
public sealed class TlsClientIdentity(byte[] certificateDer, byte[] pkcs8PrivateKey) : IDisposable
{
    internal SafeX509 Certificate { get; } = OpenSsl.Certificate(certificateDer);
    internal SafePrivateKey Key { get; } = OpenSsl.PrivateKey(pkcs8PrivateKey);

    public void Dispose()
    {
        Certificate.Dispose();
        Key.Dispose();
    }
}

/// <summary>A resumable TLS session (with the server's ticket) that a later <see cref="TlsClientConnection"/> may offer.</summary>
public sealed class TlsSessionTicket : IDisposable
{
    internal TlsSessionTicket(SafeSslSession session) => Session = session;

    internal SafeSslSession Session { get; }

    public void Dispose() => Session.Dispose();
}
