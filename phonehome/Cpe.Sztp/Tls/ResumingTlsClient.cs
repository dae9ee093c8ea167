using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cpe.Interop;

namespace Cpe.Sztp.Tls;

/// <summary>
/// A device's HTTPS client for one request per connection that resumes its TLS 1.3 session (PSK, RFC 8446 §2.2) on
/// the next connection: the fleet check-in, where a box opens a new connection every few minutes. A resumed handshake
/// skips the certificate signatures and their verification on both sides, and the server still knows the device's
/// IDevID (it is bound to the session ticket it issued), so the check-in is the device's as before. SslStream cannot do
/// this: it never resumes when it sends a client certificate. Built on OpenSSL over memory BIOs, the socket managed
/// and asynchronous. The server's certificate is not checked: the answers' owner signature is what the agent trusts.
/// One request at a time per client; one client per device identity.
/// </summary>
public sealed class ResumingTlsClient : IDisposable
{
    /// <summary>The largest answer read (a check-in answer carries a configuration: well under this).</summary>
    public const int MaxAnswerBytes = 16 * 1024 * 1024;
    readonly TlsClientIdentity _identity;
    readonly bool _resume;
    readonly Lock _gate = new();
    TlsSessionTicket? _ticket;

    /// <param name="resume">False makes every connection a full handshake (the bench's baseline).</param>
    public ResumingTlsClient(X509Certificate2 idevid, bool resume = true)
    {
        using System.Security.Cryptography.AsymmetricAlgorithm key = (System.Security.Cryptography.AsymmetricAlgorithm?)idevid.GetECDsaPrivateKey() ?? idevid.GetRSAPrivateKey()
            ?? throw new ArgumentException($"the certificate {idevid.Subject} has no private key", nameof(idevid));
        _identity = new TlsClientIdentity(idevid.RawData, key.ExportPkcs8PrivateKey());
        _resume = resume;
    }

    /// <summary>Whether the last request's connection resumed the previous session.</summary>
    public bool LastResumed { get; private set; }

    /// <summary>POSTs <paramref name="body"/> on a new connection; see <see cref="RequestAsync"/>.</summary>
    public Task<HttpAnswer> PostAsync(Uri server, string path, string contentType, byte[] body, TimeSpan timeout, CancellationToken ct = default,
        IPEndPoint? connectTo = null, IPAddress? source = null) => RequestAsync("POST", server, path, contentType, body, timeout, ct, connectTo, source);

    /// <summary>
    /// Sends one request on a new connection to <paramref name="server"/> (or to <paramref name="connectTo"/>, from
    /// <paramref name="source"/> when given) and reads the answer.
    /// </summary>
    /// <exception cref="TlsException">The handshake failed, or the answer was not HTTP.</exception>
    /// <exception cref="TimeoutException">No answer within <paramref name="timeout"/>.</exception>
    public async Task<HttpAnswer> RequestAsync(string method, Uri server, string path, string? contentType, byte[] body, TimeSpan timeout,
        CancellationToken ct = default, IPEndPoint? connectTo = null, IPAddress? source = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            return await ExchangeAsync(method, server, path, contentType, body, connectTo, source, deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{server.GetLeftPart(UriPartial.Authority)} did not answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            // Refused, unreachable, reset: an IOException naming the server, as HttpClient's HttpRequestException would.
            throw new IOException($"{server.GetLeftPart(UriPartial.Authority)}: {e.Message}", e);
        }
    }

    async Task<HttpAnswer> ExchangeAsync(string method, Uri server, string path, string? contentType, byte[] body, IPEndPoint? connectTo, IPAddress? source, CancellationToken ct)
    {
        using var socket = source is not null ? new Socket(source.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : connectTo is not null ? new Socket(connectTo.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.NoDelay = true;
        if (source is not null) socket.Bind(new IPEndPoint(source, 0));
        if (connectTo is not null) await socket.ConnectAsync(connectTo, ct);
        else await socket.ConnectAsync(new DnsEndPoint(server.IdnHost, server.Port), ct);
        string? serverName = server.HostNameType == UriHostNameType.Dns ? server.IdnHost : null;
        TlsClientConnection tls;
        // Under the lock: a concurrent request's Keep may dispose the ticket, and OpenSSL takes its own reference here.
        lock (_gate) tls = TlsClientConnection.Start(_identity, serverName, _resume ? _ticket : null);
        using (tls)
        {
            var link = new BioLink(socket, tls);
            await link.HandshakeAsync(ct);
            LastResumed = tls.Resumed;
            string head = $"{method} {path} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n"
                + (contentType is null ? "" : $"Content-Type: {contentType}\r\n") + $"Content-Length: {body.Length}\r\n\r\n";
            await link.WriteAsync([.. Encoding.ASCII.GetBytes(head), .. body], ct);
            var answer = await link.ReadAnswerAsync(ct);
            // close_notify: besides being polite, a connection freed without it has its session marked not resumable.
            await link.CloseAsync(ct);
            if (_resume && tls.TakeTicket() is { } ticket) Keep(ticket);   // the session with the ticket the server sent after the handshake
            return answer;
        }
    }

    void Keep(TlsSessionTicket ticket)
    {
        lock (_gate)
        {
            _ticket?.Dispose();
            _ticket = ticket;
        }
    }

    public void Dispose()
    {
        lock (_gate) _ticket?.Dispose();
        _identity.Dispose();
    }
}
