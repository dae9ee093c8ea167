using Cpe.Signing;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Cpe.Sztp;

namespace Cpe.Phonehome;

/// <summary>A bootstrap server to try: its URI and, when one is known, the trust anchor its TLS certificate must chain to.</summary>
public sealed record BootstrapServer(Uri Uri, X509Certificate2? TrustAnchor = null);

/// <summary>
/// One conversation with a bootstrap server, authenticated by the IDevID. With a trust anchor of its own the server's
/// certificate must chain to it; without one, it is trusted when its certificate chains to one of the factory's
/// bootstrap anchors and provisional otherwise (RFC 8572 §5.3). Trust is settled during the TLS handshake, before the
/// request body is written, so a provisional server is always asked for signed data and gets no progress reports.
/// </summary>
public sealed class BootstrapSession : IDisposable
{
    readonly HttpClient _http;
    bool _chainedToFactoryAnchor;

    /// <param name="connectTo">One address of the server's name (RFC 8572: try each); null lets the resolver choose.</param>
    public BootstrapSession(BootstrapServer server, FactoryIdentity identity, TimeSpan timeout, IPAddress? connectTo = null)
    {
        Server = server;
        var handler = new SocketsHttpHandler { ConnectTimeout = timeout, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        handler.SslOptions.ClientCertificates = new X509CertificateCollection { identity.Idevid };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            if (certificate is null) return false;
            var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            if (server.TrustAnchor is not null) return CmsSigning.Chains(presented, server.TrustAnchor);
            _chainedToFactoryAnchor = identity.ServerAnchors.Any(a => CmsSigning.Chains(presented, a));
            return true;
        };
        if (connectTo is not null)
            handler.ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(connectTo.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(connectTo, context.DnsEndPoint.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        _http = new HttpClient(handler) { BaseAddress = server.Uri, Timeout = timeout };
    }

    public BootstrapServer Server { get; }

    /// <summary>Settled once the first request has connected.</summary>
    public bool Trusted => Server.TrustAnchor is not null || _chainedToFactoryAnchor;

    /// <summary>get-bootstrapping-data; a provisional session always asks for signed data.</summary>
    public async Task<BootstrappingReply> GetBootstrappingDataAsync(BootstrappingRequest request, CancellationToken ct)
    {
        var answer = await PostAsync(Restconf.GetBootstrappingData,
            () => (Trusted ? request : request with { SignedDataPreferred = true }).ToJson(), ct);
        return BootstrappingReply.Parse(answer);
    }

    /// <summary>report-progress; RFC 8572 §5.6 allows it only to a trusted server that gave onboarding information.</summary>
    public async Task ReportAsync(ProgressReport report, CancellationToken ct)
    {
        if (!Trusted) return;
        await PostAsync(Restconf.ReportProgress, report.ToJson, ct);
    }

    async Task<byte[]> PostAsync(string path, Func<byte[]> body, CancellationToken ct)
    {
        using var content = new DeferredContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(Restconf.MediaType);
        HttpResponseMessage answer;
        try { answer = await _http.PostAsync(path, content, ct); }
        catch (HttpRequestException e) { throw new BootstrapException($"{Server.Uri}: {e.Message}", e); }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested) { throw new BootstrapException($"{Server.Uri}: no answer in time", e); }
        using var _ = answer;
        var bytes = await answer.Content.ReadAsByteArrayAsync(ct);
        if (!answer.IsSuccessStatusCode)
            throw new BootstrapException($"{Server.Uri} answered {(int)answer.StatusCode}: {System.Text.Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(bytes.Length, 300)))}");
        return bytes;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A body built when it is written: after the TLS handshake has settled whether the server is trusted.</summary>
    sealed class DeferredContent(Func<byte[]> build) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(build()).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}

/// <summary>A bootstrap server could not be used: unreachable, refused, or its answer was refused. The agent moves on.</summary>
public sealed class BootstrapException(string message, Exception? inner = null) : Exception(message, inner);
