namespace Cpe.Cli.Link;

/// <summary>
/// Splits what comes off the serial line into plain bytes (a terminal program that does not speak the link, or the
/// box before the laptop's hello) and frames. A frame starts at a zero byte and ends at the next; what is between two
/// zeros and is not a good frame is dropped. A stray zero in plain typing (Ctrl-@, line noise) must not swallow what
/// follows: <see cref="Flush"/>, called when the line has been quiet a moment, gives back an unfinished frame's bytes
/// as plain text, since a program writes a frame in one go.
/// </summary>
public sealed class LinkDecoder(LinkDecoder.PlainHandler plain, LinkDecoder.FrameHandler frame)
{
    public delegate void PlainHandler(ReadOnlySpan<byte> bytes);
    public delegate void FrameHandler(FrameType type, ReadOnlySpan<byte> body);

    readonly byte[] _pending = new byte[LinkFrame.MaxWire];
    readonly byte[] _scratch = new byte[LinkFrame.MaxWire];
    int _length = -1;   // bytes of a frame begun; -1 outside one

    public bool InFrame => _length >= 0;

    public void Feed(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            int zero = bytes.IndexOf((byte)0);
            if (_length < 0)
            {
                if (zero < 0) { plain(bytes); return; }
                if (zero > 0) plain(bytes[..zero]);
                _length = 0;
                bytes = bytes[(zero + 1)..];
                continue;
            }
            var part = zero < 0 ? bytes : bytes[..zero];
            if (_length + part.Length > _pending.Length)
            {
                // Longer than any frame: it was plain text after a stray zero.
                Flush();
                continue;
            }
            part.CopyTo(_pending.AsSpan(_length));
            _length += part.Length;
            if (zero < 0) return;
            bytes = bytes[(zero + 1)..];
            if (_length == 0) continue;   // two zeros: the end of one frame and the start of the next
            if (LinkFrame.TryDecode(_pending.AsSpan(0, _length), _scratch, out var type, out int body))
            {
                frame(type, _scratch.AsSpan(0, body));
                _length = -1;   // the next frame brings its own opening zero; what comes before it is plain
            }
            else _length = 0;   // dropped; a frame cut short ends at the next one's opening zero, which opens that one
        }
    }

    /// <summary>Gives an unfinished frame's bytes back as plain text.</summary>
    public void Flush()
    {
        if (_length > 0) plain(_pending.AsSpan(0, _length));
        _length = -1;
    }
}
