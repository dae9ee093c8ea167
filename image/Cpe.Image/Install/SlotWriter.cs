using Cpe.Interop;
using Microsoft.Win32.SafeHandles;

namespace Cpe.Image.Install;

/// <summary>
/// Writes chunks into the slot being installed. Whole pages go around the page cache (O_DIRECT) where the disk allows:
/// the disk's DMA moves them while the CPU hashes the next chunk, where a write into the page cache would copy each byte
/// once more on the CPU and fill the box's memory with pages nobody reads again. A short last chunk, or a disk that
/// refuses direct writes (a file on tmpfs standing in for one), is written through the page cache and started on its
/// way to the disk at once. Durability is the caller's: <see cref="Sync"/> flushes both paths and the disk's cache.
/// </summary>
sealed class SlotWriter : IAsyncDisposable
{
    readonly FileStream _target;
    SafeFileHandle? _direct;

    public SlotWriter(string device)
    {
        _target = new FileStream(device, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
        try { _direct = Files.OpenDirect(device, write: true); }
        catch (LinuxException) { _direct = null; }
    }

    /// <summary>The slot for reading (what a resume checks it already holds).</summary>
    public SafeFileHandle Handle => _target.SafeFileHandle;

    /// <summary>Whether whole-page chunks go around the page cache (false after the disk refused one).</summary>
    public bool Direct => _direct is not null;

    public async Task WriteAsync(long offset, ReadOnlyMemory<byte> chunk, CancellationToken ct)
    {
        if (_direct is not null && offset % ChunkBuffers.Alignment == 0 && chunk.Length % ChunkBuffers.Alignment == 0)
        {
            try
            {
                await RandomAccess.WriteAsync(_direct, chunk, offset, ct);
                return;
            }
            catch (IOException)
            {
                // EINVAL: this disk or file system takes no direct writes after all. The chunk is written again below.
                _direct.Dispose();
                _direct = null;
            }
        }
        await RandomAccess.WriteAsync(_target.SafeFileHandle, chunk, offset, ct);
        Writeback.Start(_target.SafeFileHandle, offset, chunk.Length);
    }

    /// <summary>Makes what was written durable: the page cache's part written back, then the disk's own cache flushed (fsync of the device).</summary>
    public void Sync() => _target.Flush(flushToDisk: true);

    public async ValueTask DisposeAsync()
    {
        _direct?.Dispose();
        await _target.DisposeAsync();
    }
}
