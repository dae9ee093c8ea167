using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Cpe.Cli.Link;

/// <summary>
/// The box's side of a file pushed over the console link (cpe send on the laptop): written in order into
/// FOLDER/NAME.part, each kilobyte acknowledged, so that the laptop can go on after a cable pull from what the box
/// holds, even after its own program restarted (NAME.part.meta records the size and SHA-256 it belongs to). Complete
/// and matching its SHA-256, it becomes FOLDER/NAME; whether it may be installed is decided when it is, by the same
/// checks as a download (signature, version, trust anchors). Only while an admin-class user is logged in on the
/// console, one file at a time, and never so large that the data partition would fill up.
/// </summary>
public sealed class FileReceiver(string folder, LinkPort port)
{
    public const long MaxFileBytes = 4L << 30;
    /// <summary>Room kept free on the folder's file system for the box's own state (configuration, database, logs).</summary>
    public const long ReserveBytes = 16L << 20;
    const int GapEvery = 250, UnknownEvery = 500;   // ms between answers to frames out of order or for no transfer

    sealed class Transfer(uint id, string name, long size, byte[] sha, FileStream stream)
    {
        public uint Id => id;
        public string Name => name;
        public long Size => size;
        public byte[] Sha => sha;
        public FileStream Stream => stream;
        public long Written;
    }

    Transfer? _current;
    (uint Id, string Path)? _finished;
    long _lastGap, _lastUnknown;

    /// <summary>Null while files are accepted, else why not (the console sets it from who is logged in).</summary>
    public Func<string?> Refusal { get; set; } = () => "nobody is logged in on the console";

    /// <summary>What the person at the console is told: a transfer began, resumed, ended or was refused.</summary>
    public Action<string>? Notice { get; set; }

    public string Folder => folder;

    public void Handle(FrameType type, ReadOnlySpan<byte> body)
    {
        try
        {
            if (type == FrameType.Begin) Begin(body);
            else if (type == FrameType.Data) Data(body);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (_current is { } t) Fail(t.Id, $"the box could not write {Path.Combine(folder, t.Name)}: {e.Message}", final: true);
        }
    }

    void Begin(ReadOnlySpan<byte> body)
    {
        if (body.Length < 45) return;
        uint id = BinaryPrimitives.ReadUInt32BigEndian(body);
        long size = BinaryPrimitives.ReadInt64BigEndian(body[4..]);
        byte[] sha = body.Slice(12, 32).ToArray();
        string name;
        try { name = new UTF8Encoding(false, true).GetString(body[44..]); }
        catch (DecoderFallbackException) { Fail(id, "the file's name is not UTF-8", final: true); return; }
        if (_finished is { } f && f.Id == id) { SendDone(id, f.Path); return; }
        if (_current is { } same && same.Id == id) { SendOffer(id, same.Written); return; }   // the offer was lost
        if (ProblemWithName(name) is string bad) { Fail(id, bad, final: true); return; }
        if (Refusal() is string refused) { Fail(id, $"files are accepted while an admin-class user is logged in on the console: {refused}", final: true); return; }
        if (size < 0 || size > MaxFileBytes) { Fail(id, $"{name} is {size} bytes; the console takes files of at most {MaxFileBytes} bytes", final: true); return; }

        Close();
        Directory.CreateDirectory(folder);
        string part = Path.Combine(folder, name + ".part"), meta = part + ".meta";
        string belongs = $"{size} {Convert.ToHexStringLower(sha)}\n";
        long offset = File.Exists(meta) && File.ReadAllText(meta) == belongs && File.Exists(part) ? Math.Min(new FileInfo(part).Length, size) : 0;
        long free = new DriveInfo(Path.GetFullPath(folder)).AvailableFreeSpace;
        if (free - (size - offset) < ReserveBytes)
        {
            Fail(id, $"not enough room in {folder} for {name}: {size - offset} bytes more needed, {free} free, and {ReserveBytes} are kept free for the box's own state", final: true);
            return;
        }
        if (offset == 0) File.WriteAllText(meta, belongs);
        var stream = new FileStream(part, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None);
        stream.SetLength(offset);
        stream.Position = offset;
        _current = new Transfer(id, name, size, sha, stream) { Written = offset };
        _finished = null;
        SendOffer(id, offset);
        Notice?.Invoke(offset == 0
            ? $"Receiving {name} ({size} bytes) from the laptop on the console line into {folder}"
            : $"Resuming {name} at {offset} of {size} bytes ({offset * 100 / Math.Max(1, size)}%)");
        if (offset == size) Finish(_current);
    }

    void Data(ReadOnlySpan<byte> body)
    {
        if (body.Length < 12) return;
        uint id = BinaryPrimitives.ReadUInt32BigEndian(body);
        long offset = BinaryPrimitives.ReadInt64BigEndian(body[4..]);
        var data = body[12..];
        long now = Environment.TickCount64;
        if (_current is not { } t || t.Id != id)
        {
            if (_finished?.Id == id || now - _lastUnknown < UnknownEvery) return;
            _lastUnknown = now;
            Fail(id, "the box has no transfer with this id (its console restarted): begin again", final: false);
            return;
        }
        if (Refusal() is string refused) { Fail(id, $"the transfer stopped: {refused}", final: true); return; }
        if (offset != t.Written || offset + data.Length > t.Size)
        {
            // A frame was lost: the laptop goes back to what the box holds. Once per moment, not per frame in flight.
            if (now - _lastGap < GapEvery) return;
            _lastGap = now;
            SendAck(id, t.Written, gap: true);
            return;
        }
        t.Stream.Write(data);
        t.Written += data.Length;
        SendAck(id, t.Written, gap: false);
        if (t.Written == t.Size) Finish(t);
    }

    void Finish(Transfer t)
    {
        t.Stream.Flush(flushToDisk: true);
        t.Stream.Dispose();
        _current = null;
        string part = t.Stream.Name, final = Path.Combine(folder, t.Name);
        byte[] sha;
        using (var read = File.OpenRead(part)) sha = SHA256.HashData(read);
        File.Delete(part + ".meta");
        if (!sha.AsSpan().SequenceEqual(t.Sha))
        {
            File.Delete(part);
            Fail(t.Id, $"{t.Name} as received does not match the SHA-256 the laptop sent (it changed on the laptop while it was sent?); it was deleted: send it again", final: true);
            return;
        }
        File.Move(part, final, overwrite: true);
        _finished = (t.Id, final);
        SendDone(t.Id, final);
        Notice?.Invoke($"Received {t.Name} ({t.Size} bytes, SHA-256 as sent) in {final}{InstallHint(final)}");
    }

    /// <summary>What to do with the file next; it is checked then exactly as a download would be.</summary>
    static string InstallHint(string path) => Path.GetExtension(path) switch
    {
        ".cpeu" => $"\nInstall it with 'request system software add {path}'",
        ".tar" => $"\nAdd it with 'request vnf package add {path}'",
        _ => "",
    };

    /// <summary>A plain file name in the folder: no path, no hidden file, nothing a shell or the CLI would misread.</summary>
    public static string? ProblemWithName(string name)
    {
        if (name.Length is 0 or > 128) return $"a file name is 1 to 128 characters, not {name.Length}";
        if (name[0] == '.') return $"'{name}' would be hidden: a file name may not start with '.'";
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+'))
                return $"'{name}' has '{(c < ' ' ? $"\\x{(int)c:x2}" : c.ToString())}': a file name has letters, digits, '.', '_', '-' and '+'";
        if (name.EndsWith(".part", StringComparison.Ordinal) || name.EndsWith(".meta", StringComparison.Ordinal)) return $"'{name}' ends like the console's own unfinished files";
        return null;
    }

    void Fail(uint id, string message, bool final)
    {
        if (_current?.Id == id) Close();
        port.Send(FrameType.Error, WithId(id, [final ? (byte)1 : (byte)2, .. Encoding.UTF8.GetBytes(Bounded(message))]));
        if (final) Notice?.Invoke($"File transfer refused: {message}");
    }

    static string Bounded(string message) => message.Length <= 1000 ? message : message[..1000];

    void SendOffer(uint id, long offset)
    {
        Span<byte> body = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(body, id);
        BinaryPrimitives.WriteInt64BigEndian(body[4..], offset);
        port.Send(FrameType.Offer, body);
    }

    void SendAck(uint id, long held, bool gap)
    {
        Span<byte> body = stackalloc byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(body, id);
        BinaryPrimitives.WriteInt64BigEndian(body[4..], held);
        body[12] = gap ? (byte)1 : (byte)0;
        port.Send(FrameType.Ack, body);
    }

    void SendDone(uint id, string path) => port.Send(FrameType.Done, WithId(id, Encoding.UTF8.GetBytes(path)));

    static byte[] WithId(uint id, ReadOnlySpan<byte> rest)
    {
        var body = new byte[4 + rest.Length];
        BinaryPrimitives.WriteUInt32BigEndian(body, id);
        rest.CopyTo(body.AsSpan(4));
        return body;
    }

    /// <summary>Stops writing the current file; its part stays for a later resume.</summary>
    void Close()
    {
        if (_current is not { } t) return;
        t.Stream.Dispose();
        _current = null;
    }
}
