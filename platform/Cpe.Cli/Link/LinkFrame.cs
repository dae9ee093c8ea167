using System.Buffers.Binary;
using System.IO.Hashing;

namespace Cpe.Cli.Link;

/// <summary>What a frame on the console link carries (docs/reference/console-link.md has the layout of each).</summary>
public enum FrameType : byte
{
    Hello = (byte)'H',      // laptop → box: version, nonce, window rows and columns
    HelloAck = (byte)'A',   // box → laptop: version, the nonce
    Keepalive = (byte)'K',  // both ways each second; from the laptop with its window size
    Terminal = (byte)'T',   // both ways: the terminal's bytes
    Begin = (byte)'B',      // laptop → box: a file: id, size, SHA-256, name
    Offer = (byte)'O',      // box → laptop: id, the offset to send from (resume)
    Data = (byte)'D',       // laptop → box: id, offset, bytes
    Ack = (byte)'C',        // box → laptop: id, bytes held, whether a gap was seen
    Done = (byte)'F',       // box → laptop: id, where the file was saved
    Error = (byte)'E',      // box → laptop: id, whether to begin again, why
}

/// <summary>
/// One frame on the wire: a zero byte, COBS of (type, body, CRC-32 of type and body, little-endian), a zero byte.
/// The CRC drops frames that line noise or a cable pull damaged; the zeros let the reader find the next one.
/// </summary>
public static class LinkFrame
{
    /// <summary>The longest body a frame may carry: a data frame's kilobyte with its header, and room for names and messages.</summary>
    public const int MaxBody = 2048;
    public const int MaxWire = MaxBody + 5 + MaxBody / 254 + 3;
    public const int DataChunk = 1024;

    public static byte[] Encode(FrameType type, ReadOnlySpan<byte> body)
    {
        if (body.Length > MaxBody) throw new ArgumentException($"a frame body is at most {MaxBody} bytes, not {body.Length}", nameof(body));
        Span<byte> payload = stackalloc byte[body.Length + 5];
        payload[0] = (byte)type;
        body.CopyTo(payload[1..]);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[^4..], Crc32.HashToUInt32(payload[..^4]));
        var wire = new byte[Cobs.MaxEncodedLength(payload.Length) + 2];
        int n = Cobs.Encode(payload, wire.AsSpan(1));
        return wire[..(n + 2)];
    }

    /// <summary>The frame between two zeros, or false when it is damaged (not COBS, too short, wrong CRC).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, Span<byte> scratch, out FrameType type, out int bodyLength)
    {
        type = default;
        bodyLength = 0;
        int n = Cobs.Decode(encoded, scratch);
        if (n < 5) return false;
        var payload = scratch[..n];
        if (BinaryPrimitives.ReadUInt32LittleEndian(payload[^4..]) != Crc32.HashToUInt32(payload[..^4])) return false;
        type = (FrameType)payload[0];
        payload[1..^4].CopyTo(scratch);
        bodyLength = n - 5;
        return true;
    }
}
