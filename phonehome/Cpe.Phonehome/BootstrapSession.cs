using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Cpe.Sztp;

namespace Cpe.Phonehome;

/// <summary>A bootstrap server to try: its URI and, when one is known, the trust anchor its TLS certificate must chain to.</summary>
public sealed record BootstrapServer(Uri Uri, X509Certificate2? TrustAnchor = null);

/// <summary>
/// One conversation with a bootstrap server, authenticated by the IDevID. With a trust anchor the
/// server's certificate must chain to it and the server is <see cref="Trusted"/>; without one the
/// connection is provisional (RFC 8572 §5.3): nothing secret goes to it and only signed onboarding
/// information or redirect information is accepted from it.
/// </summary>
public sealed class BootstrapSession : IDisposable
{
    readonly HttpClient _http;

    public BootstrapSession(BootstrapServer server, FactoryIdentity identity, TimeSpan timeout)
    {
        Server = server;
        var handler = new SocketsHttpHandler { ConnectTimeout = timeout };
        handler.SslOptions.ClientCertificates = new X509CertificateCollection { identity.Idevid };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            server.TrustAnchor is null || (certificate is not null
                && Cms.Chains(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), server.TrustAnchor));
        _http = new HttpClient(handler) { BaseAddress = server.Uri, Timeout = timeout };
    }

    public BootstrapServer Server { get; }
    public bool Trusted => Server.TrustAnchor is not null;

    /// <summary>get-bootstrapping-data; a provisional session always asks for signed data.</summary>
    public async Task<BootstrappingReply> GetBootstrappingDataAsync(BootstrappingRequest request, CancellationToken ct)
    {
        if (!Trusted) request = request with { SignedDataPreferred = true };
        var answer = await PostAsync(Restconf.GetBootstrappingData, request.ToJson(), ct);
        return BootstrappingReply.Parse(answer);
    }

    /// <summary>report-progress; RFC 8572 §5.6 allows it only to a trusted server that gave onboarding information.</summary>
    public async Task ReportAsync(ProgressReport report, CancellationToken ct)
    {
        if (!Trusted) return;
        await PostAsync(Restconf.ReportProgress, report.ToJson(), ct);
    }

    async Task<byte[]> PostAsync(string path, byte[] body, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
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
}

/// <summary>A bootstrap server could not be used: unreachable, refused, or its answer was refused. The agent moves on.</summary>
public sealed class BootstrapException(string message, Exception? inner = null) : Exception(message, inner);
