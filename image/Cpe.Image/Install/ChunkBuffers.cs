using System.Security.Cryptography;
using Cpe.Image.Bundles;

namespace Cpe.Image.Install;

/// <summary>
/// The buffers chunks pass through on their way to the slot, <see cref="Count"/> in turn: the chunk being written, the
/// ones fetched ahead of it, and one the bundle hash may still be reading. When the caller named the whole bundle
/// file's SHA-256 (the signed onboarding information or check-in answer does), that hash is computed over the chunks as
/// they are laid into the slot, in order, on another thread: whether read back from the slot on resume, copied from
/// the running slot or downloaded, without downloading what the box already has.
/// No whole-image hash is computed: every chunk is checked against its hash in the signed list before it is written,
/// so the whole is what was signed; what the disk returns later, dm-verity checks at every boot.
/// </summary>
sealed class ChunkBuffers : IDisposable
{
    /// <summary>Chunk <c>i</c> is in buffer <c>i % Count</c>: four fetched ahead, one written, one the bundle hash may still read.</summary>
    public const int Count = 6;

    readonly BundleHead _head;
    readonly string? _bundleSha256;
    readonly IncrementalHash? _file;
    readonly Memory<byte>[] _buffers;

    /// <summary>Buffers start on a page, so that a chunk can be written around the page cache (O_DIRECT) from them.</summary>
    public const int Alignment = 4096;
    readonly Task[] _hashing = [.. Enumerable.Repeat(Task.CompletedTask, Count)];
    Task _tail = Task.CompletedTask;
    int _next;

    public ChunkBuffers(BundleHead head, string? bundleSha256)
    {
        _head = head;
        _bundleSha256 = bundleSha256;
        _buffers = [.. Enumerable.Range(0, Count).Select(_ => Aligned(head.Manifest.Image.ChunkSize))];
        if (bundleSha256 is null) return;
        _file = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _file.AppendData(BundleArchive.Head(head.ManifestJson, head.Signature, head.Manifest.Image.Size));
    }

    /// <summary>
    /// The buffer chunk <paramref name="index"/> is read into, once the bundle hash is done with the chunk that used
    /// it before. The caller writes chunks in order and fetches at most <c>Count - 2</c> ahead of the one it writes.
    /// </summary>
    public async ValueTask<Memory<byte>> ForAsync(int index)
    {
        await _hashing[index % Count];
        return _buffers[index % Count];
    }

    /// <summary>
    /// Chunk <paramref name="index"/>, now in its buffer, is in the slot; it goes into the bundle hash after the chunks
    /// before it. It must be the next one: a chunk left out or laid twice is a bug, not bad input.
    /// </summary>
    public void Laid(int index)
    {
        if (index != _next) throw new InvalidOperationException($"chunk {index} laid where chunk {_next} was due");
        _next++;
        if (_file is null) return;
        var chunk = _buffers[index % Count][..(int)_head.Manifest.Image.ChunkLength(index)];
        var before = _tail;
        _tail = _hashing[index % Count] = Task.Run(async () =>
        {
            await before;
            _file.AppendData(chunk.Span);
        });
    }

    /// <summary>Refuses the slot unless every chunk was laid and, when the bundle's hash was given, the bundle holds it.</summary>
    public async Task CheckAsync()
    {
        await _tail;
        var image = _head.Manifest.Image;
        if (_next != image.Chunks.Length) throw new InvalidOperationException($"{_next} of {image.Chunks.Length} chunks were laid");
        if (_file is null) return;
        _file.AppendData(new byte[BundleArchive.TrailerLength(image.Size)]);
        string actual = Convert.ToHexStringLower(_file.GetHashAndReset());
        if (actual != _bundleSha256)
            throw new BundleRefusedException($"it is not the bundle that was asked for: its SHA-256 is {actual}, {_bundleSha256} was expected");
    }

    /// <summary>A buffer of <paramref name="length"/> bytes in a pinned array (it never moves), starting on a page.</summary>
    internal static Memory<byte> Aligned(int length)
    {
        var array = GC.AllocateUninitializedArray<byte>(length + Alignment, pinned: true);
        long address = System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(array, 0);
        int skip = (int)((Alignment - address % Alignment) % Alignment);
        return array.AsMemory(skip, length);
    }

    public void Dispose()
    {
        // An install that failed half-way may leave a chunk being hashed: the hash is freed after it.
        try { _tail.Wait(); } catch (AggregateException) { }
        _file?.Dispose();
    }
}
