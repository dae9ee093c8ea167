namespace Cpe.Cli.Link;

/// <summary>
/// Consistent Overhead Byte Stuffing: a frame's bytes rewritten without any zero byte (one byte more per 254), so
/// that zero can delimit frames on the serial line and a receiver that lost bytes finds the next frame at the next
/// zero (docs/reference/console-link.md).
/// </summary>
public static class Cobs
{
    public static int MaxEncodedLength(int length) => length + length / 254 + 1;

    /// <summary>Encodes <paramref name="data"/> into <paramref name="output"/> (at least <see cref="MaxEncodedLength"/> long); returns the length written.</summary>
    public static int Encode(ReadOnlySpan<byte> data, Span<byte> output)
    {
        int codeAt = 0, o = 1;
        byte code = 1;
        foreach (byte b in data)
        {
            if (b != 0)
            {
                output[o++] = b;
                if (++code != 0xFF) continue;
            }
            output[codeAt] = code;
            codeAt = o++;
            code = 1;
        }
        output[codeAt] = code;
        return o;
    }

    /// <summary>Decodes into <paramref name="output"/> (at least as long as the input); returns the length, or -1 when the input is not COBS.</summary>
    public static int Decode(ReadOnlySpan<byte> data, Span<byte> output)
    {
        int i = 0, o = 0;
        while (i < data.Length)
        {
            int code = data[i++];
            if (code == 0 || i + code - 1 > data.Length) return -1;
            var block = data.Slice(i, code - 1);
            if (block.Contains((byte)0)) return -1;
            block.CopyTo(output[o..]);
            o += block.Length;
            i += block.Length;
            if (code != 0xFF && i < data.Length) output[o++] = 0;
        }
        return o;
    }
}
