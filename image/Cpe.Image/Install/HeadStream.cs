using Cpe.Image.Bundles;

namespace Cpe.Image.Install;

/// <summary>
/// A bundle's head read in growing Range requests: 64 KiB first (a manifest is a few KiB; its chunk list grows with
/// the image), then as much again as was read, never past the largest head a bundle can have. A download asks for
/// the head alone, and the chunks after it come from the running slot or their own requests.
/// </summary>
sealed class HeadStream : ForwardStream
{
    readonly IBundleSource _source;
    readonly long _first;
    Stream? _current;
    long _position, _end;

    HeadStream(IBundleSource source, long first) => (_source, _first) = (source, first);

    /// <summary>The bundle's whole length, when the source said it.</summary>
    public long? BundleLength { get; private set; }

    public static async Task<HeadStream> OpenAsync(IBundleSource source, CancellationToken ct, long first = 64 << 10)
    {
        var head = new HeadStream(source, first);
        await head.NextAsync(ct);
        return head;
    }

    async Task<bool> NextAsync(CancellationToken ct)
    {
        if (_position >= BundleArchive.MaxHead) return false;
        long count = Math.Min(Math.Max(_first, _position), BundleArchive.MaxHead - _position);
        if (_current is not null) await _current.DisposeAsync();
        var (stream, length) = await _source.OpenAsync(_position, ct, count);
        _current = stream;
        BundleLength ??= length;
        _end = _position + count;
        return true;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        while (true)
        {
            int n = await _current!.ReadAsync(buffer, ct);
            if (n > 0)
            {
                _position += n;
                return n;
            }
            if (_position < _end || !await NextAsync(ct)) return 0;   // the bundle itself ended, or no head is this long
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _current?.Dispose();
        base.Dispose(disposing);
    }
}
