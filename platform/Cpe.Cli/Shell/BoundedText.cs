using System.Text;

namespace Cpe.Cli.Shell;

/// <summary>Reads a file as UTF-8 text, at most a given size: /dev/zero or a stray binary gets an error, not all memory.</summary>
static class BoundedText
{
    static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async Task<string> ReadFileAsync(string path, int maxBytes, CancellationToken ct)
    {
        byte[] buffer = new byte[maxBytes + 1];
        int length = 0;
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, useAsync: false);
            int n;
            while (length < buffer.Length && (n = await file.ReadAsync(buffer.AsMemory(length), ct)) > 0) length += n;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read '{path}': {e.Message}");
        }
        if (length > maxBytes) throw new CliException($"'{path}' is larger than {maxBytes} bytes, the most one request to cped can carry");
        int start = length >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0;   // a byte-order mark is not content
        try { return Strict.GetString(buffer, start, length - start); }
        catch (DecoderFallbackException e)
        {
            throw new CliException($"'{path}' is not UTF-8 text (invalid bytes at offset {e.Index + start})");
        }
    }
}
