using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Win32.SafeHandles;

namespace Cpe.Image.Install;

/// <summary>Where a bundle comes from: opened at any byte offset, so an install resumes without starting over.</summary>
public interface IBundleSource : IDisposable
{
    /// <summary>What the console and logs call it (a URL, a file).</summary>
    string Name { get; }

    /// <summary>Bytes this source has delivered so far (a download's cost).</summary>
    long BytesRead { get; }

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

/// <summary>
/// A bundle on the box itself (a file): reading it again costs nothing, so its chunks are synced in batches, as copied
/// ones are, instead of one by one as downloaded ones are; and it is read at any offset, by several threads at once.
/// </summary>
public interface ILocalBundleSource : IBundleSource
{
    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; fewer bytes only at the end of the bundle.</summary>
    ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken ct);
}

public sealed class FileBundleSource(string path) : ILocalBundleSource
{
    readonly Lock _opening = new();
    SafeFileHandle? _handle, _direct;
    bool _directTried;
    volatile bool _directRefused;
    long _read;
    public string Name => path;
    public long BytesRead => Interlocked.Read(ref _read);

    public async ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken ct)
    {
        int got = await ReadDirectAsync(offset, buffer, ct) ?? await FileReads.FillAsync(Handle(offset), offset, buffer, ct);
        Interlocked.Add(ref _read, got);
        return got;
    }

    /// <summary>
    /// A whole chunk (sector-aligned, into the installer's page-aligned buffer) read around the page cache, so the disk's
    /// DMA fills the buffer and the CPU only hashes it; null to read through the page cache instead: a short last chunk,
    /// or a file system or disk that refused a direct read (then never tried again).
    /// </summary>
    async ValueTask<int?> ReadDirectAsync(long offset, Memory<byte> buffer, CancellationToken ct)
    {
        if (offset % Sector != 0 || buffer.Length % Sector != 0) return null;
        SafeFileHandle? direct;
        lock (_opening)
        {
            if (!_directTried)
            {
                _directTried = true;
                try { _direct = Cpe.Interop.Files.OpenDirect(path, write: false); }
                catch (Cpe.Interop.LinuxException) { _direct = null; }
            }
            direct = _directRefused ? null : _direct;
        }
        if (direct is null) return null;
        try { return await FileReads.FillAsync(direct, offset, buffer, ct); }
        catch (IOException)
        {
            // Kept open until the source is disposed: another thread's read may still be on it.
            _directRefused = true;
            return null;
        }
    }

    const int Sector = 512;

    public Task<(Stream Stream, long? Length)> OpenAsync(long offset, CancellationToken ct, long? count = null)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        file.Position = Math.Min(offset, file.Length);
        // The kernel reads what is asked for ahead, while the installer hashes and writes what it already has.
        Cpe.Interop.Writeback.ReadAhead(file.SafeFileHandle, file.Position, count ?? file.Length - file.Position);
        return Task.FromResult<(Stream, long?)>((new CountingStream(file, n => Interlocked.Add(ref _read, n)), file.Length));
    }

    /// <summary>Opened at the first read, the kernel asked to read the rest of the file ahead from there.</summary>
    SafeFileHandle Handle(long from)
    {
        lock (_opening)
        {
            if (_handle is not null) return _handle;
            _handle = File.OpenHandle(path);
            Cpe.Interop.Writeback.ReadAhead(_handle, from, Math.Max(0, RandomAccess.GetLength(_handle) - from));
            return _handle;
        }
    }

    public void Dispose()
    {
        _handle?.Dispose();
        lock (_opening) _direct?.Dispose();
    }
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

/// <summary>Reads at an offset of a file or block device.</summary>
static class FileReads
{
    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>, over short reads; fewer bytes only at the end.</summary>
    public static async ValueTask<int> FillAsync(SafeFileHandle file, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        int got = 0, n;
        while (got < buffer.Length && (n = await RandomAccess.ReadAsync(file, buffer[got..], offset + got, ct)) > 0) got += n;
        return got;
    }
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
