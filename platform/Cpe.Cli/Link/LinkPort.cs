using System.Buffers.Binary;
using Cpe.Interop;

namespace Cpe.Cli.Link;

/// <summary>
/// One end of the console link on a serial line: the box's console (which answers a hello) or the technician's laptop
/// (which sends hellos until answered, when <see cref="HelloPolicy"/> says the box's console is there). Linked, both send a keepalive each second and take the link for lost after
/// <see cref="LostAfter"/> without a frame: a pulled cable, or the laptop's program gone, puts the box's console back to
/// plain text for whatever terminal comes next, and the laptop back to saying hello.
/// </summary>
public sealed class LinkPort : IDisposable
{
    public const byte Version = 1;
    public static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(3);
    static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    readonly Func<Terminal> _open;
    readonly bool _laptop;
    readonly Lock _writing = new();
    readonly LinkDecoder _decoder;
    readonly CancellationTokenSource _stop = new();
    Terminal _line;
    long _lastHeard;
    volatile bool _linked;
    uint _nonce;
    readonly HelloPolicy _hello = new(Environment.TickCount64);
    readonly Lock _helloLock = new();

    /// <summary>Bytes outside frames: a plain terminal's typing at the box, the box's plain output at the laptop.</summary>
    public LinkDecoder.PlainHandler? Plain { get; set; }

    /// <summary>Frames other than hello and keepalive, on the reader's thread.</summary>
    public LinkDecoder.FrameHandler? Frame { get; set; }

    /// <summary>The link came up or was lost.</summary>
    public Action<bool>? LinkChanged { get; set; }

    /// <summary>The line hung up (the box), or could not be read and is being opened again (the laptop, with why).</summary>
    public Action<string>? LineLost { get; set; }

    /// <summary>The laptop's window, sent in its hello and keepalives; at the box, the laptop's window while linked.</summary>
    public Func<(int Rows, int Columns)?>? LocalSize { get; set; }

    public (int Rows, int Columns)? PeerSize { get; private set; }

    public bool Linked => _linked;

    public bool Ended { get; private set; }

    LinkPort(Func<Terminal> open, bool laptop)
    {
        _open = open;
        _laptop = laptop;
        _line = open();
        _decoder = new LinkDecoder(OnPlain, OnFrame);
    }

    /// <summary>The box's side, on its console line.</summary>
    public static LinkPort Box(Terminal line) => new(() => line, laptop: false);

    /// <summary>The laptop's side; <paramref name="open"/> opens the serial device again after it went away (a USB adapter pulled).</summary>
    public static LinkPort Laptop(Func<Terminal> open) => new(open, laptop: true);

    public void Start()
    {
        new Thread(ReadLoop) { IsBackground = true, Name = "link-read" }.Start();
        new Thread(TickLoop) { IsBackground = true, Name = "link-tick" }.Start();
    }

    /// <summary>Sends a frame; false when the link is down (nothing is sent then).</summary>
    public bool Send(FrameType type, ReadOnlySpan<byte> body)
    {
        if (!_linked) return false;
        Write(LinkFrame.Encode(type, body));
        return true;
    }

    /// <summary>The terminal's bytes: in frames while linked, else as they are (a plain terminal, or an older peer).</summary>
    public void SendTerminal(ReadOnlySpan<byte> bytes)
    {
        if (!_linked) { Write(bytes); return; }
        for (int at = 0; at < bytes.Length; at += LinkFrame.DataChunk)
            Write(LinkFrame.Encode(FrameType.Terminal, bytes.Slice(at, Math.Min(LinkFrame.DataChunk, bytes.Length - at))));
    }

    void Write(ReadOnlySpan<byte> bytes)
    {
        lock (_writing)
        {
            try { _line.Write(bytes); }
            // The laptop's adapter went away: the reader notices and opens it again; what was written is lost, as on any pulled cable.
            catch (LinuxException) when (_laptop) { }
        }
    }

    void OnPlain(ReadOnlySpan<byte> bytes)
    {
        if (_laptop) lock (_helloLock) _hello.Heard(bytes, Environment.TickCount64);
        // While linked, bytes outside frames are line noise or the remains of a damaged frame.
        if (!_linked) Plain?.Invoke(bytes);
    }

    void OnFrame(FrameType type, ReadOnlySpan<byte> body)
    {
        switch (type)
        {
            case FrameType.Hello when !_laptop && body.Length >= 5 && body[0] == Version:
                _nonce = BinaryPrimitives.ReadUInt32BigEndian(body[1..]);
                ReadSize(body[5..]);
                Heard();
                SetLinked(true);
                Span<byte> ack = stackalloc byte[5];
                ack[0] = Version;
                BinaryPrimitives.WriteUInt32BigEndian(ack[1..], _nonce);
                Write(LinkFrame.Encode(FrameType.HelloAck, ack));
                return;
            case FrameType.HelloAck when _laptop && body.Length >= 5 && BinaryPrimitives.ReadUInt32BigEndian(body[1..]) == _nonce:
                Heard();
                SetLinked(true);
                return;
            case FrameType.Keepalive when _linked:
                if (!_laptop) ReadSize(body);
                Heard();
                return;
            case FrameType.Hello or FrameType.HelloAck or FrameType.Keepalive:
                return;
        }
        if (!_linked) return;
        Heard();
        Frame?.Invoke(type, body);
    }

    void ReadSize(ReadOnlySpan<byte> body)
    {
        if (body.Length < 4) return;
        int rows = BinaryPrimitives.ReadUInt16BigEndian(body), columns = BinaryPrimitives.ReadUInt16BigEndian(body[2..]);
        PeerSize = rows > 0 && columns > 0 ? (rows, columns) : null;
    }

    void Heard() => Volatile.Write(ref _lastHeard, Environment.TickCount64);

    void SetLinked(bool linked)
    {
        if (_linked == linked) return;
        _linked = linked;
        if (!linked) PeerSize = null;
        if (!linked && _laptop) lock (_helloLock) _hello.LinkLost(Volatile.Read(ref _lastHeard));
        LinkChanged?.Invoke(linked);
    }

    void ReadLoop()
    {
        var buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            int n;
            try
            {
                // A frame is written in one go: a line quiet for a moment with a frame begun had a stray zero in plain text.
                if (_decoder.InFrame && !_line.WaitForInput(Quiet)) { _decoder.Flush(); continue; }
                n = _line.Read(buffer);
            }
            catch (LinuxException e) { n = -1; LineLostWith(e.Message); }
            if (n > 0) { _decoder.Feed(buffer.AsSpan(0, n)); continue; }
            if (n == 0) LineLostWith("end of file");
            if (!_laptop) return;
            if (!Reopen()) return;
        }
    }

    void LineLostWith(string why)
    {
        SetLinked(false);
        if (!_laptop) Ended = true;
        LineLost?.Invoke(why);
    }

    bool Reopen()
    {
        while (!_stop.IsCancellationRequested)
        {
            Thread.Sleep(1000);
            try
            {
                var line = _open();
                lock (_writing) { _line.Dispose(); _line = line; }
                return true;
            }
            catch (LinuxException) { }
        }
        return false;
    }

    void TickLoop()
    {
        long lastSent = 0;
        while (!_stop.Token.WaitHandle.WaitOne(250))
        {
            long now = Environment.TickCount64;
            if (_linked && now - Volatile.Read(ref _lastHeard) > LostAfter.TotalMilliseconds) SetLinked(false);
            if (now - lastSent < 1000) continue;
            lastSent = now;
            if (_linked) Write(LinkFrame.Encode(FrameType.Keepalive, SizeBody()));
            else if (_laptop && MayHello(now)) SendHello();
        }
    }

    bool MayHello(long now)
    {
        lock (_helloLock) return _hello.MayHello(now);
    }

    void SendHello()
    {
        _nonce = (uint)Random.Shared.Next();
        Span<byte> hello = stackalloc byte[9];
        hello[0] = Version;
        BinaryPrimitives.WriteUInt32BigEndian(hello[1..], _nonce);
        SizeBody().CopyTo(hello[5..]);
        Write(LinkFrame.Encode(FrameType.Hello, hello));
    }

    byte[] SizeBody()
    {
        var body = new byte[4];
        if (_laptop && LocalSize?.Invoke() is { } size)
        {
            BinaryPrimitives.WriteUInt16BigEndian(body, (ushort)Math.Clamp(size.Rows, 0, ushort.MaxValue));
            BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(2), (ushort)Math.Clamp(size.Columns, 0, ushort.MaxValue));
        }
        return body;
    }

    public void Dispose()
    {
        _stop.Cancel();
        SetLinked(false);
    }
}
