using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;

namespace Cpe.Image.Install;

/// <summary>Where a bundle comes from: opened at any byte offset, so an install resumes without starting over.</summary>
public interface IBundleSource : IDisposable
{
    /// <summary>What the console and logs call it (a URL, a file).</summary>
    string Name { get; }

    /// <summary>Bytes this source has delivered so far (a download's cost).</summary>
    long BytesRead { get; }

    /// <summary>
    /// Reading it again costs nothing (a file on the box): its chunks are synced in batches, as copied ones are,
    /// instead of one by one as downloaded ones are.
    /// </summary>
    bool IsLocal { get; }

    /// <summary>
    /// The bundle from <paramref name="offset"/> on (at most <paramref name="count"/> bytes when given: a download asks
    /// for no more than it reads), and the bundle's whole length when the source knows it.
    /// </summary>
    Task<(Stream Stream, long? Length)> OpenAsync(long offset, CancellationToken ct, long? count = null);

    public static IBundleSource For(string location, X509Certificate2? clientCertificate, TimeSpan timeout) =>
        Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? new HttpBundleSource(uri, clientCertificate, timeout)
            : new FileBundleSource(location);
}

public sealed class FileBundleSource(string path) : IBundleSource
{
    long _read;
    public string Name => path;
    public long BytesRead => Interlocked.Read(ref _read);
    public bool IsLocal => true;

    public Task<(Stream Stream, long? Length)> OpenAsync(long offset, CancellationToken ct, long? count = null)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        file.Position = Math.Min(offset, file.Length);
        // The kernel reads what is asked for ahead, while the installer hashes and writes what it already has.
        Cpe.Interop.Writeback.ReadAhead(file.SafeFileHandle, file.Position, count ?? file.Length - file.Position);
        return Task.FromResult<(Stream, long?)>((new CountingStream(file, n => Interlocked.Add(ref _read, n)), file.Length));
    }

    public void Dispose() { }
}

/// <summary>
/// HTTP(S) with Range requests: the device's IDevID as client certificate when the server asks for one. The TLS
/// server is not what is trusted: the bundle's signature and hashes are.
/// </summary>
public sealed class HttpBundleSource : IBundleSource
{
    readonly HttpClient _http;
    readonly Uri _uri;
    long _read;

    public HttpBundleSource(Uri uri, X509Certificate2? clientCertificate, TimeSpan timeout)
    {
        _uri = uri;
        var handler = new SocketsHttpHandler { ConnectTimeout = timeout, AutomaticDecompression = DecompressionMethods.None };
        if (clientCertificate is not null) handler.SslOptions.ClientCertificates = new X509CertificateCollection { clientCertificate };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public string Name => _uri.ToString();
    public long BytesRead => Interlocked.Read(ref _read);
    public bool IsLocal => false;

    public async Task<(Stream Stream, long? Length)> OpenAsync(long offset, CancellationToken ct, long? count = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _uri);
        if (offset > 0 || count is not null) request.Headers.Range = new RangeHeaderValue(offset, count is long n ? offset + n - 1 : null);
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new IOException($"{_uri} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        var body = new CountingStream(await response.Content.ReadAsStreamAsync(ct), n => Interlocked.Add(ref _read, n));
        if (response.StatusCode == HttpStatusCode.PartialContent)
            return (body, response.Content.Headers.ContentRange?.Length);
        // A server without ranges sends everything: skip to the offset (costly, but still correct).
        long? length = response.Content.Headers.ContentLength;
        var skip = new byte[1 << 16];
        for (long left = offset; left > 0;)
        {
            int n = await body.ReadAsync(skip.AsMemory(0, (int)Math.Min(skip.Length, left)), ct);
            if (n == 0) break;
            left -= n;
        }
        return (body, length);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A read-only stream that counts what passes through it.</summary>
sealed class CountingStream(Stream inner, Action<int> counted) : ForwardStream
{
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        int n = await inner.ReadAsync(buffer, ct);
        counted(n);
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
