using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Cpe.Phonehome.Processing;

/// <summary>
/// Downloads a boot image into a ".part" file that survives restarts: a later attempt asks for the rest with an HTTP
/// Range request and appends. The file is accepted only when its SHA-256 is the one from the signed onboarding
/// information; the TLS server is not what is trusted here, the hash is.
/// </summary>
public sealed class ImageDownloader(HttpMessageHandler handler, TimeSpan timeout)
{
    /// <summary>Downloads from the first URI that works; returns the verified file.</summary>
    public async Task<string> DownloadAsync(IReadOnlyList<string> uris, byte[] sha256, string partFile, Action<string> say, CancellationToken ct)
    {
        if (uris.Count == 0) throw new ImageDownloadException("the boot image has no download-uri");
        var failures = new List<string>();
        foreach (var uri in uris)
        {
            try
            {
                await FetchAsync(new Uri(uri), partFile, say, ct);
                byte[] actual;
                await using (var read = File.OpenRead(partFile)) actual = await SHA256.HashDataAsync(read, ct);
                if (actual.AsSpan().SequenceEqual(sha256)) return partFile;
                File.Delete(partFile);
                failures.Add($"{uri}: sha-256 {Convert.ToHexStringLower(actual)} is not the signed {Convert.ToHexStringLower(sha256)}");
            }
            catch (Exception e) when (e is HttpRequestException or IOException or UriFormatException or ImageDownloadException
                || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                failures.Add($"{uri}: {e.Message}");
            }
        }
        throw new ImageDownloadException(string.Join("; ", failures));
    }

    async Task FetchAsync(Uri uri, string partFile, Action<string> say, CancellationToken ct)
    {
        using var http = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        long have = File.Exists(partFile) ? new FileInfo(partFile).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        using var headers = CancellationTokenSource.CreateLinkedTokenSource(ct);
        headers.CancelAfter(timeout);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headers.Token);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
            return; // the part file is already whole: the hash decides
        if (!response.IsSuccessStatusCode) throw new ImageDownloadException($"{uri} answered {(int)response.StatusCode}");
        bool resumed = response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From == have;
        long? total = response.Content.Headers.ContentRange?.Length ?? response.Content.Headers.ContentLength;
        say(resumed ? $"resuming {uri} at byte {have} of {total}" : $"downloading {uri} ({total} bytes)");
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        await using var file = new FileStream(partFile, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write);
        var buffer = new byte[81920];
        while (true)
        {
            // Each read gets the timeout: a server that stops sending is a cut download, resumed next time.
            using var read = CancellationTokenSource.CreateLinkedTokenSource(ct);
            read.CancelAfter(timeout);
            int n;
            try { n = await body.ReadAsync(buffer, read.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { throw new ImageDownloadException($"{uri}: no data for {timeout.TotalSeconds:0} s"); }
            if (n == 0) break;
            await file.WriteAsync(buffer.AsMemory(0, n), ct);
        }
        await file.FlushAsync(ct);
    }
}

public sealed class ImageDownloadException(string message) : Exception(message);
