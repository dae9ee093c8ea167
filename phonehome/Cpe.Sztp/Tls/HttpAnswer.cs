using System.Globalization;
using System.Text;
using Cpe.Interop;

namespace Cpe.Sztp.Tls;

/// <summary>
/// An HTTP/1.1 answer (RFC 9112) to one request on a connection the client closes: the status and the body, framed by
/// Content-Length, by chunked transfer coding, or by the connection's close.
/// </summary>
public sealed record HttpAnswer(int Status, byte[] Body)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>The answer once <paramref name="data"/> holds all of it; null while more is to come.</summary>
    /// <exception cref="TlsException">Not an HTTP/1.1 answer.</exception>
    public static HttpAnswer? TryParse(ReadOnlySpan<byte> data, bool closed)
    {
        int end = data.IndexOf("\r\n\r\n"u8);
        if (end < 0) return closed ? throw new TlsException("the server closed the connection before a whole HTTP header") : null;
        string[] lines = Encoding.ASCII.GetString(data[..end]).Split("\r\n");
        if (!lines[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || lines[0].Length < 12
            || !int.TryParse(lines[0].AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out int status))
            throw new TlsException($"not an HTTP answer: {lines[0][..Math.Min(lines[0].Length, 60)]}");
        var rest = data[(end + 4)..];
        long? length = null;
        bool chunked = false;
        foreach (var line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var (name, value) = (line[..colon].Trim(), line[(colon + 1)..].Trim());
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                length = long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : throw new TlsException($"a bad Content-Length: {value}");
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) chunked = value.EndsWith("chunked", StringComparison.OrdinalIgnoreCase);
        }
        if (status is 204 or 304 || status < 200) return new HttpAnswer(status, []);
        if (chunked) return Dechunk(rest, closed) is { } body ? new HttpAnswer(status, body) : null;
        if (length is long expected)
        {
            if (rest.Length >= expected) return new HttpAnswer(status, rest[..(int)expected].ToArray());
            return closed ? throw new TlsException($"the answer ended after {rest.Length} of its {expected} bytes") : null;
        }
        return closed ? new HttpAnswer(status, rest.ToArray()) : null;
    }

    /// <summary>
    /// A chunked body (RFC 9112 §7.1) once its last chunk arrived; trailers are ignored. The chunks are only located
    /// until then and copied once at the end: this runs again after every read of a long answer.
    /// </summary>
    static byte[]? Dechunk(ReadOnlySpan<byte> data, bool closed)
    {
        var chunks = new List<(int Start, int Size)>();
        for (int at = 0; ;)
        {
            int lineEnd = data[at..].IndexOf("\r\n"u8);
            if (lineEnd < 0) return closed ? throw new TlsException("the chunked answer ended in a chunk header") : null;
            var sizeText = Encoding.ASCII.GetString(data.Slice(at, lineEnd)).Split(';')[0].Trim();
            if (!int.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int size) || size < 0)
                throw new TlsException($"a bad chunk size: {sizeText}");
            at += lineEnd + 2;
            if (size == 0) break;
            if (data.Length - at < size + 2) return closed ? throw new TlsException("the chunked answer ended in a chunk") : null;
            chunks.Add((at, size));
            at += size + 2;
        }
        var body = new byte[chunks.Sum(c => c.Size)];
        int written = 0;
        foreach (var (start, size) in chunks)
        {
            data.Slice(start, size).CopyTo(body.AsSpan(written));
            written += size;
        }
        return body;
    }
}
