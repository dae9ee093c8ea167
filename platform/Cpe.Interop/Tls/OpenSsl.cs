using System.Runtime.InteropServices;

namespace Cpe.Interop;

/// <summary>
/// The few libssl/libcrypto 3 calls a resuming TLS client needs, declared once, each object behind a SafeHandle. The
/// platform's TLS (SslStream) never resumes a session when it sends a client certificate, and a device checks in with
/// its IDevID on a new connection every few minutes; see <see cref="TlsClientConnection"/>. Errors from OpenSSL's error
/// queue become a <see cref="TlsException"/> in one place (<see cref="Fail"/>).
/// </summary>
internal static partial class OpenSsl
{
    const string Ssl = "libssl.so.3", Crypto = "libcrypto.so.3";
    internal const int SSL_ERROR_WANT_READ = 2, SSL_ERROR_WANT_WRITE = 3, SSL_ERROR_ZERO_RETURN = 6;
    const int SSL_CTRL_SET_MIN_PROTO_VERSION = 123, SSL_CTRL_SET_TLSEXT_HOSTNAME = 55, TLS1_3_VERSION = 0x0304;

    [LibraryImport(Ssl)] private static partial nint TLS_client_method();
    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_new")] private static partial SafeSslContext SSL_CTX_new(nint method);
    [LibraryImport(Ssl)] internal static partial void SSL_CTX_free(nint ctx);
    [LibraryImport(Ssl)] private static partial long SSL_CTX_ctrl(SafeSslContext ctx, int cmd, long larg, nint parg);
    [LibraryImport(Ssl, EntryPoint = "SSL_new")] private static partial SafeSsl SSL_new(SafeSslContext ctx);
    [LibraryImport(Ssl)] internal static partial void SSL_free(nint ssl);
    [LibraryImport(Ssl, StringMarshalling = StringMarshalling.Utf8)] private static partial long SSL_ctrl(SafeSsl ssl, int cmd, long larg, string parg);
    [LibraryImport(Ssl)] private static partial int SSL_use_certificate(SafeSsl ssl, SafeX509 x509);
    [LibraryImport(Ssl)] private static partial int SSL_use_PrivateKey(SafeSsl ssl, SafePrivateKey key);
    [LibraryImport(Ssl)] private static partial void SSL_set_connect_state(SafeSsl ssl);
    [LibraryImport(Ssl)] private static partial void SSL_set_bio(SafeSsl ssl, nint rbio, nint wbio);
    [LibraryImport(Ssl)] internal static partial int SSL_do_handshake(SafeSsl ssl);
    [LibraryImport(Ssl)] internal static partial int SSL_get_error(SafeSsl ssl, int ret);
    [LibraryImport(Ssl)] internal static unsafe partial int SSL_write(SafeSsl ssl, byte* buf, int num);
    [LibraryImport(Ssl)] internal static unsafe partial int SSL_read(SafeSsl ssl, byte* buf, int num);
    [LibraryImport(Ssl)] internal static partial int SSL_session_reused(SafeSsl ssl);
    [LibraryImport(Ssl)] private static partial int SSL_set_session(SafeSsl ssl, SafeSslSession session);
    [LibraryImport(Ssl, EntryPoint = "SSL_get1_session")] internal static partial SafeSslSession SSL_get1_session(SafeSsl ssl);
    [LibraryImport(Ssl)] internal static partial int SSL_SESSION_is_resumable(SafeSslSession session);
    [LibraryImport(Ssl)] internal static partial void SSL_SESSION_free(nint session);
    [LibraryImport(Ssl)] internal static partial int SSL_shutdown(SafeSsl ssl);

    [LibraryImport(Crypto)] private static partial nint BIO_s_mem();
    [LibraryImport(Crypto)] private static partial nint BIO_new(nint method);
    [LibraryImport(Crypto)] internal static unsafe partial int BIO_write(nint bio, byte* data, int length);
    [LibraryImport(Crypto)] internal static unsafe partial int BIO_read(nint bio, byte* data, int length);
    [LibraryImport(Crypto)] internal static partial nuint BIO_ctrl_pending(nint bio);
    [LibraryImport(Crypto)] private static unsafe partial SafeX509 d2i_X509(nint existing, byte** input, long length);
    [LibraryImport(Crypto)] internal static partial void X509_free(nint x509);
    [LibraryImport(Crypto)] private static unsafe partial SafePrivateKey d2i_AutoPrivateKey(nint existing, byte** input, long length);
    [LibraryImport(Crypto)] internal static partial void EVP_PKEY_free(nint key);
    [LibraryImport(Crypto)] private static partial ulong ERR_get_error();
    [LibraryImport(Crypto)] private static unsafe partial void ERR_error_string_n(ulong error, byte* buffer, nuint length);
    [LibraryImport(Crypto)] internal static partial void ERR_clear_error();

    /// <summary>A client context for TLS 1.3 only (resumption by PSK, and no older protocol to fall back to).</summary>
    internal static SafeSslContext NewClientContext()
    {
        var ctx = SSL_CTX_new(TLS_client_method());
        if (ctx.IsInvalid) throw Fail("SSL_CTX_new");
        if (SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_3_VERSION, 0) != 1) throw Fail("SSL_CTX_set_min_proto_version");
        return ctx;
    }

    /// <summary>
    /// A connection in client mode over two memory BIOs (the socket stays managed and async): returns the SSL and the
    /// BIOs it reads from and writes to, owned by the SSL from here on.
    /// </summary>
    internal static (SafeSsl Ssl, nint Input, nint Output) NewConnection(SafeSslContext ctx, SafeX509 certificate, SafePrivateKey key, string? serverName,
        SafeSslSession? session)
    {
        var ssl = SSL_new(ctx);
        if (ssl.IsInvalid) throw Fail("SSL_new");
        if (session is not null && SSL_set_session(ssl, session) != 1) throw Fail("SSL_set_session");
        if (SSL_use_certificate(ssl, certificate) != 1) throw Fail("SSL_use_certificate");
        if (SSL_use_PrivateKey(ssl, key) != 1) throw Fail("SSL_use_PrivateKey");
        nint input = BIO_new(BIO_s_mem()), output = BIO_new(BIO_s_mem());
        if (input == 0 || output == 0) throw Fail("BIO_new");
        SSL_set_bio(ssl, input, output);
        SSL_set_connect_state(ssl);
        // Server name indication, as SslStream sends it: for a name, not an address (RFC 6066 §3).
        if (serverName is not null && SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, 0, serverName) != 1) throw Fail("SSL_set_tlsext_host_name");
        return (ssl, input, output);
    }

    internal static unsafe SafeX509 Certificate(byte[] der)
    {
        fixed (byte* start = der)
        {
            // SAFETY: d2i reads at most der.Length bytes from the pinned array and only advances its own copy of the pointer.
            byte* p = start;
            var x509 = d2i_X509(0, &p, der.Length);
            return x509.IsInvalid ? throw Fail("d2i_X509") : x509;
        }
    }

    internal static unsafe SafePrivateKey PrivateKey(byte[] pkcs8)
    {
        fixed (byte* start = pkcs8)
        {
            // SAFETY: as above, bounded by the array's length.
            byte* p = start;
            var key = d2i_AutoPrivateKey(0, &p, pkcs8.Length);
            return key.IsInvalid ? throw Fail("d2i_AutoPrivateKey") : key;
        }
    }

    /// <summary>The one error path: what OpenSSL's error queue says about <paramref name="call"/>, the queue emptied.</summary>
    internal static unsafe TlsException Fail(string call)
    {
        var reasons = new List<string>();
        byte* buffer = stackalloc byte[256];
        for (ulong e; (e = ERR_get_error()) != 0;)
        {
            // SAFETY: ERR_error_string_n writes at most 256 bytes, NUL-terminated, into the stack buffer.
            ERR_error_string_n(e, buffer, 256);
            reasons.Add(Marshal.PtrToStringUTF8((nint)buffer) ?? e.ToString("x"));
        }
        return new TlsException(reasons.Count == 0 ? $"{call} failed" : $"{call} failed: {string.Join("; ", reasons)}");
    }
}
