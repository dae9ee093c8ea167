using Cpe.Image.Bundles;

namespace Cpe.Image.Install;

/// <summary>
/// Brings one chunk of the new image into a buffer, checked against its signed hash: copied from the running slot when
/// that holds a chunk with the same hash (at any offset), otherwise read from a file on the box at its offset, or
/// downloaded. Each run of chunks to download is one bounded Range request; a cut connection is retried at the chunk
/// it was in. Copies and file reads may run on several threads at once; downloads take turns (the download stream goes
/// on from where the last one ended).
/// </summary>
sealed class ChunkFetcher(BundleHead head, IBundleSource source, string runningDevice, Dictionary<string, long> reusable,
    TimeSpan firstRetry, Action<string>? say) : IAsyncDisposable
{
    const int Retries = 5;
    readonly SlotImage _image = head.Manifest.Image;
    readonly FileStream _running = new(runningDevice, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
    readonly SemaphoreSlim _downloading = new(1, 1);
    Stream? _download;
    long _downloadAt = -1;

    /// <summary>Whether the running slot lists chunk <paramref name="index"/>'s hash, so it is copied, not downloaded.</summary>
    public bool InRunningSlot(int index) => reusable.ContainsKey(_image.Chunks[index]);

    /// <summary>Fills <paramref name="buffer"/> with chunk <paramref name="index"/>; true when it was copied from the running slot.</summary>
    /// <exception cref="BundleRefusedException">The downloaded chunk does not match its signed hash.</exception>
    public async Task<bool> FetchAsync(int index, Memory<byte> buffer, CancellationToken ct)
    {
        int length = (int)_image.ChunkLength(index);
        // A chunk the running slot no longer reads as listed is downloaded instead: a wrong list only costs bytes.
        if (reusable.TryGetValue(_image.Chunks[index], out long from) && await SlotInstaller.HoldsAsync(_running.SafeFileHandle, from, _image, index, buffer, ct))
            return true;
        if (source is ILocalBundleSource local)
        {
            if (await local.ReadAtAsync(head.ImageOffset + (long)index * _image.ChunkSize, buffer[..length], ct) < length)
                throw new BundleRefusedException($"it is truncated in image chunk {index} of {_image.Chunks.Length}");
        }
        else
        {
            await _downloading.WaitAsync(ct);
            try { await DownloadAsync(index, buffer[..length], ct); }
            finally { _downloading.Release(); }
        }
        if (!ChunkHash.Matches(_image, index, buffer.Span[..length]))
            throw new BundleRefusedException($"image chunk {index} of {_image.Chunks.Length} does not match its signed hash");
        return false;
    }

    async Task DownloadAsync(int index, Memory<byte> chunk, CancellationToken ct)
    {
        long at = head.ImageOffset + (long)index * _image.ChunkSize;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                if (_download is null || _downloadAt != at)
                {
                    await CloseAsync();
                    // Bounded to the run of chunks that must be downloaded from here: a server does not send (and a
                    // metered link does not pay for) what the running slot already has.
                    (_download, _) = await source.OpenAsync(at, ct, RunBytes(index));
                    _downloadAt = at;
                }
                int got = await _download.ReadAtLeastAsync(chunk, chunk.Length, throwOnEndOfStream: false, ct);
                _downloadAt += got;
                if (got < chunk.Length) throw new IOException($"the download ended in chunk {index} of {_image.Chunks.Length}");
                return;
            }
            catch (Exception e) when (e is IOException or HttpRequestException && attempt < Retries && !ct.IsCancellationRequested)
            {
                say?.Invoke($"download of chunk {index} failed ({e.Message}); resuming at chunk {index} (attempt {attempt + 1} of {Retries})");
                await CloseAsync();
                await Task.Delay(firstRetry * Math.Min(8, 1 << (attempt - 1)), ct);
            }
        }
    }

    /// <summary>The bytes of chunk <paramref name="first"/> and the chunks after it up to the next one the running slot has.</summary>
    long RunBytes(int first)
    {
        long bytes = 0;
        for (int i = first; i < _image.Chunks.Length && (i == first || !InRunningSlot(i)); i++) bytes += _image.ChunkLength(i);
        return bytes;
    }

    async Task CloseAsync()
    {
        if (_download is not null) await _download.DisposeAsync();
        _download = null;
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        await _running.DisposeAsync();
        _downloading.Dispose();
    }
}
