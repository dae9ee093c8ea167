namespace Cpe.Vnf.Packages;

/// <summary>A read-only window of <paramref name="length"/> bytes at <paramref name="offset"/> of a stream it owns.</summary>
sealed class SliceStream(Stream inner, long offset, long length) : ReadOnlyStream
{
    long _position;

    public override long Length => length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }


    public override int Read(Span<byte> buffer)
    {
        if (_position == 0 && inner.Position != offset) inner.Position = offset;
        int n = inner.Read(buffer[..(int)Math.Min(buffer.Length, length - _position)]);
        if (n == 0 && _position < length) throw new EndOfStreamException($"the archive ends {length - _position} bytes early");
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (_position == 0 && inner.Position != offset) inner.Position = offset;
        int n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, length - _position)], ct);
        if (n == 0 && _position < length) throw new EndOfStreamException($"the archive ends {length - _position} bytes early");
        _position += n;
        return n;
    }


    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
