using Cpe.Interop;

namespace Cpe.Vnf.Packages;

/// <summary>
/// Reads a zstd stream (layers of media type tar+zstd) through the interop library's <see cref="ZstdDecoder"/>
/// (the system's libzstd). Streaming, so a layer never has to fit in memory.
/// </summary>
public sealed class ZstdDecompressStream(Stream inner) : ReadOnlyStream
{
    readonly ZstdDecoder _decoder = new();
    readonly byte[] _input = new byte[1 << 17];
    int _inputStart, _inputEnd;
    bool _innerDone, _frameDone = true;

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            if (_inputStart == _inputEnd && !_innerDone)
            {
                _inputStart = 0;
                _inputEnd = inner.Read(_input);
                _innerDone = _inputEnd == 0;
            }
            if (_inputStart == _inputEnd && _innerDone)
            {
                if (!_frameDone) throw new InvalidDataException("the zstd stream ends in the middle of a frame");
                return 0;
            }
            var (consumed, produced, frameDone) = _decoder.Decompress(_input.AsSpan(_inputStart, _inputEnd - _inputStart), buffer);
            _inputStart += consumed;
            _frameDone = frameDone;
            if (produced > 0) return produced;
        }
    }

    protected override void Dispose(bool disposing)
    {
        _decoder.Dispose();
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
