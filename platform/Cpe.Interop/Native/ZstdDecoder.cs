using System.Runtime.InteropServices;

namespace Cpe.Interop;

/// <summary>
/// A zstd decompression context of the system's libzstd (Debian libzstd1, on the image too): .NET has no zstd of its
/// own. <see cref="Decompress"/> moves as much as it can from an input span to an output span; the caller streams.
/// </summary>
public sealed partial class ZstdDecoder : IDisposable
{
    const string Lib = "libzstd.so.1";
    nint _stream;

    public ZstdDecoder()
    {
        _stream = ZSTD_createDStream();
        if (_stream == 0) throw new OutOfMemoryException("ZSTD_createDStream failed");
        Check(ZSTD_initDStream(_stream));
    }

    /// <summary>
    /// Decompresses from <paramref name="input"/> into <paramref name="output"/>: how much of each was used, and whether
    /// a frame ended exactly there. Corrupt input throws <see cref="InvalidDataException"/>.
    /// </summary>
    public unsafe (int Consumed, int Produced, bool FrameDone) Decompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        ObjectDisposedException.ThrowIf(_stream == 0, this);
        // SAFETY: both spans are pinned for the call, and the structs tell libzstd exactly how much of each it may use.
        fixed (byte* o = output)
        fixed (byte* i = input)
        {
            var outBuffer = new ZstdBuffer { Pointer = o, Size = (nuint)output.Length };
            var inBuffer = new ZstdBuffer { Pointer = i, Size = (nuint)input.Length };
            nuint hint = Check(ZSTD_decompressStream(_stream, &outBuffer, &inBuffer));
            return ((int)inBuffer.Position, (int)outBuffer.Position, hint == 0);
        }
    }

    static nuint Check(nuint result) =>
        ZSTD_isError(result) != 0 ? throw new InvalidDataException($"zstd: {Marshal.PtrToStringUTF8(ZSTD_getErrorName(result))}") : result;

    public void Dispose()
    {
        if (_stream != 0) { ZSTD_freeDStream(_stream); _stream = 0; }
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
