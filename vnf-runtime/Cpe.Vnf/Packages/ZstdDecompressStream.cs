using System.Runtime.InteropServices;

namespace Cpe.Vnf.Packages;

/// <summary>
/// Reads a zstd stream (layers of media type tar+zstd) through the system's libzstd (Debian libzstd1, on the image
/// too): .NET has no zstd of its own. Streaming, so a layer never has to fit in memory.
/// </summary>
public sealed partial class ZstdDecompressStream : ReadOnlyStream
{
    const string Lib = "libzstd.so.1";
    readonly Stream _inner;
    readonly byte[] _input = new byte[1 << 17];
    nint _stream;
    int _inputStart, _inputEnd;
    bool _innerDone, _frameDone = true;

    public ZstdDecompressStream(Stream inner)
    {
        _inner = inner;
        _stream = ZSTD_createDStream();
        if (_stream == 0) throw new OutOfMemoryException("ZSTD_createDStream failed");
        Check(ZSTD_initDStream(_stream));
    }

    public override unsafe int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            if (_inputStart == _inputEnd && !_innerDone)
            {
                _inputStart = 0;
                _inputEnd = _inner.Read(_input);
                _innerDone = _inputEnd == 0;
            }
            if (_inputStart == _inputEnd && _innerDone)
            {
                if (!_frameDone) throw new InvalidDataException("the zstd stream ends in the middle of a frame");
                return 0;
            }
            // Safe: both buffers are pinned for the call, and the structs say exactly how much of each may be used.
            fixed (byte* output = buffer)
            fixed (byte* input = _input)
            {
                var outBuffer = new ZstdBuffer { Pointer = output, Size = (nuint)buffer.Length };
                var inBuffer = new ZstdBuffer { Pointer = input, Size = (nuint)_inputEnd, Position = (nuint)_inputStart };
                nuint hint = Check(ZSTD_decompressStream(_stream, &outBuffer, &inBuffer));
                _inputStart = (int)inBuffer.Position;
                _frameDone = hint == 0;
                if (outBuffer.Position > 0) return (int)outBuffer.Position;
            }
        }
    }


    static nuint Check(nuint result) =>
        ZSTD_isError(result) != 0 ? throw new InvalidDataException($"zstd: {Marshal.PtrToStringUTF8(ZSTD_getErrorName(result))}") : result;

    protected override void Dispose(bool disposing)
    {
        if (_stream != 0) { ZSTD_freeDStream(_stream); _stream = 0; }
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

    [StructLayout(LayoutKind.Sequential)]
    unsafe struct ZstdBuffer
    {
        public byte* Pointer;
        public nuint Size;
        public nuint Position;
    }

    [LibraryImport(Lib)] private static partial nint ZSTD_createDStream();
    [LibraryImport(Lib)] private static partial nuint ZSTD_initDStream(nint stream);
    [LibraryImport(Lib)] private static unsafe partial nuint ZSTD_decompressStream(nint stream, ZstdBuffer* output, ZstdBuffer* input);
    [LibraryImport(Lib)] private static partial nuint ZSTD_freeDStream(nint stream);
    [LibraryImport(Lib)] private static partial uint ZSTD_isError(nuint code);
    [LibraryImport(Lib)] private static partial nint ZSTD_getErrorName(nuint code);
}
