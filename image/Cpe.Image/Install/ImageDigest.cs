using System.Security.Cryptography;
using Cpe.Image.Bundles;

namespace Cpe.Image.Install;

/// <summary>
/// The whole-image SHA-256 (and, when one was asked for, the whole bundle file's) over the chunks as the install lays
/// them into the slot, in order: each one already checked against its signed hash, whether read back from the slot on
/// resume, copied from the running slot or downloaded. So the image is hashed twice in all (per chunk and whole), never
/// read back from the slot a second time; what the disk later returns, dm-verity checks at every boot.
/// The whole-image hash runs on another thread while the next chunks are fetched, checked and written, each in its own
/// buffer of three: the installer takes chunk <c>i</c>'s buffer from <see cref="BufferAsync"/>, which waits until chunk
/// <c>i - 3</c>'s bytes in it are hashed.
/// </summary>
sealed class ImageDigest : IDisposable
{
    readonly BundleHead _head;
    readonly string? _bundleSha256;
    readonly IncrementalHash _image = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    readonly IncrementalHash? _file;
    readonly byte[][] _buffers;
    readonly Task[] _hashing = [Task.CompletedTask, Task.CompletedTask, Task.CompletedTask];
    Task _tail = Task.CompletedTask;
    int _next;

    public ImageDigest(BundleHead head, string? bundleSha256)
    {
        _head = head;
        _bundleSha256 = bundleSha256;
        _buffers = [.. Enumerable.Range(0, 3).Select(_ => new byte[head.Manifest.Image.ChunkSize])];
        if (bundleSha256 is null) return;
        _file = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _file.AppendData(BundleArchive.Head(head.ManifestJson, head.Signature, head.Manifest.Image.Size));
    }

    /// <summary>The buffer chunk <paramref name="index"/> is read into, once the chunk that used it before is hashed.</summary>
    public async ValueTask<byte[]> BufferAsync(int index)
    {
        await _hashing[index % 3];
        return _buffers[index % 3];
    }

    /// <summary>
    /// Hashes chunk <paramref name="index"/>, now in its buffer, after the chunks before it. It must be the next one:
    /// a chunk left out or hashed twice is a bug, not bad input.
    /// </summary>
    public void Append(int index)
    {
        if (index != _next) throw new InvalidOperationException($"chunk {index} hashed where chunk {_next} was due");
        var chunk = _buffers[index % 3].AsMemory(0, (int)_head.Manifest.Image.ChunkLength(index));
        var before = _tail;
        _tail = _hashing[index % 3] = Task.Run(async () =>
        {
            await before;
            _image.AppendData(chunk.Span);
            _file?.AppendData(chunk.Span);
        });
        _next++;
    }

    /// <summary>Refuses the image (and the bundle, when its hash was given) unless every chunk was hashed and both hashes hold.</summary>
    public async Task CheckAsync(string slot)
    {
        await _tail;
        var image = _head.Manifest.Image;
        if (_next != image.Chunks.Length) throw new InvalidOperationException($"{_next} of {image.Chunks.Length} chunks were hashed");
        if (Convert.ToHexStringLower(_image.GetHashAndReset()) != image.Sha256)
            throw new BundleRefusedException($"the image written to slot {slot} does not match the signed whole-image hash");
        if (_file is null) return;
        _file.AppendData(new byte[BundleArchive.TrailerLength(image.Size)]);
        string actual = Convert.ToHexStringLower(_file.GetHashAndReset());
        if (actual != _bundleSha256)
            throw new BundleRefusedException($"it is not the bundle that was asked for: its SHA-256 is {actual}, {_bundleSha256} was expected");
    }

    public void Dispose()
    {
        // An install that failed half-way may leave a chunk being hashed: the hashes are freed after it.
        try { _tail.Wait(); } catch (AggregateException) { }
        _image.Dispose();
        _file?.Dispose();
    }
}
