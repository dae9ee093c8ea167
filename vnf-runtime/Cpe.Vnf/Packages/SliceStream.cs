namespace Cpe.Vnf.Packages;

/// <summary>A read-only window of <paramref name="length"/> bytes at <paramref name="offset"/> of a stream it owns.</summary>
sealed class SliceStream(Stream inner, long offset, long length) : Stream
{
    long _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

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

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
