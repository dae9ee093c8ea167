namespace Cpe.Vnf.Packages;

/// <summary>
/// The tar file of a package, indexed without reading any file's content: where each file's bytes are. Strict, so
/// that one changed byte anywhere is noticed: headers must pass their checksums, the padding after
/// each file and everything after the last file must be zeros, names may not repeat or leave the archive, and only
/// files and directories may appear. The content itself is covered by digests and the signature.
/// </summary>
public sealed class PackageArchive : IDisposable
{
    const int Block = 512;
    readonly FileStream _file;
    readonly Dictionary<string, (long Offset, long Length)> _files = new(StringComparer.Ordinal);

    public string Path { get; }

    public PackageArchive(string path)
    {
        Path = path;
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        try { Index(); }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or ArgumentException)
        {
            _file.Dispose();
            throw new VnfPackageException($"{path} is not a valid package archive: {e.Message}", e);
        }
        catch { _file.Dispose(); throw; }
    }

    public IReadOnlyCollection<string> Files => _files.Keys;

    public bool Contains(string name) => _files.ContainsKey(name);

    public long LengthOf(string name) => Find(name).Length;

    /// <summary>The bytes of <paramref name="name"/> as a stream of its own (several may be open at once).</summary>
    public Stream Open(string name)
    {
        var (offset, length) = Find(name);
        var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        return new SliceStream(new FileStream(handle, FileAccess.Read, 1 << 16), offset, length);
    }

    public byte[] ReadAll(string name, long limit)
    {
        long length = LengthOf(name);
        if (length > limit) throw new VnfPackageException($"{Path}: {name} is {length} bytes, more than the {limit} allowed");
        using var s = Open(name);
        var bytes = new byte[length];
        s.ReadExactly(bytes);
        return bytes;
    }

    (long Offset, long Length) Find(string name) =>
        _files.TryGetValue(name, out var at) ? at : throw new VnfPackageException($"{Path}: {name} is not in the package");

    /// <summary>
    /// Walks the headers itself (TarReader does not check header checksums): ustar and GNU headers, pax "path" and
    /// "size" records and GNU long names; every header's checksum, every padding and the end blocks are checked.
    /// </summary>
    void Index()
    {
        Span<byte> header = stackalloc byte[Block];
        long at = 0;
        string? longName = null;
        long? paxSize = null;
        while (true)
        {
            if (at + Block > _file.Length) throw new InvalidDataException($"it ends inside a header (at byte {at})");
            RandomAccess.Read(_file.SafeFileHandle, header, at);
            if (!header.ContainsAnyExcept((byte)0)) break;   // the end-of-archive blocks: only zeros may follow
            RequireChecksum(header, at);
            char type = (char)header[156];
            long size = paxSize ?? Octal(header.Slice(124, 12), "size", at);
            string name = longName ?? HeaderName(header);
            long data = at + Block;
            if (data + size > _file.Length) throw new InvalidDataException($"'{name}' runs past the end of the file");
            RequireZeros(data + size, Padded(data + size), $"the padding after '{name}'");
            at = Padded(data + size);
            switch (type)
            {
                case 'x':
                    (longName, paxSize) = PaxRecords(data, size, at);
                    continue;
                case 'L':
                    longName = ReadText(data, size).TrimEnd('\0');
                    continue;
                case '5':
                    break;
                case '0' or '\0':
                    string file = Normalize(name);
                    if (file.Length == 0 || !_files.TryAdd(file, (data, size))) throw new InvalidDataException($"'{name}' appears twice or is not a file name");
                    break;
                default:
                    throw new InvalidDataException($"'{name}' is of tar type '{type}'; a package holds only files and directories");
            }
            longName = null;
            paxSize = null;
        }
        RequireZeros(at, _file.Length, "the end of the archive");
        if (_files.Count == 0) throw new InvalidDataException("it holds no files");
    }

    /// <summary>The checksum field must be in one of the forms tar writers use, so that no byte of it goes unchecked.</summary>
    static void RequireChecksum(ReadOnlySpan<byte> header, long at)
    {
        var field = header.Slice(148, 8);
        int digits = 0;
        while (digits < 8 && field[digits] is >= (byte)'0' and <= (byte)'7') digits++;
        var rest = field[digits..];
        bool wellFormed = digits switch
        {
            6 => rest.SequenceEqual("\0 "u8),
            7 => rest.SequenceEqual("\0"u8) || rest.SequenceEqual(" "u8),
            _ => false,
        };
        long expected = 0;
        for (int i = 0; i < Block; i++) expected += i is >= 148 and < 156 ? ' ' : header[i];
        if (!wellFormed || Convert.ToInt64(System.Text.Encoding.ASCII.GetString(field[..digits]), 8) != expected)
            throw new InvalidDataException($"the header at byte {at} fails its checksum");
    }

    static string HeaderName(ReadOnlySpan<byte> header)
    {
        string name = CString(header[..100]);
        // ustar's prefix field (POSIX "ustar\0"; GNU's "ustar  " has none).
        if (header.Slice(257, 6).SequenceEqual("ustar\0"u8) && CString(header.Slice(345, 155)) is { Length: > 0 } prefix) name = prefix + "/" + name;
        return name;
    }

    (string? Path, long? Size) PaxRecords(long data, long size, long at)
    {
        if (size > 1 << 20) throw new InvalidDataException($"a pax header of {size} bytes at byte {at}");
        string text = ReadText(data, size);
        string? path = null;
        long? length = null;
        for (int i = 0; i < text.Length;)
        {
            int space = text.IndexOf(' ', i);
            if (space < 0 || !int.TryParse(text.AsSpan(i, space - i), out int n) || n <= 0 || i + n > text.Length || text[i + n - 1] != '\n')
                throw new InvalidDataException($"a malformed pax record before byte {at}");
            string record = text.Substring(space + 1, i + n - space - 2);
            int eq = record.IndexOf('=');
            if (eq < 0) throw new InvalidDataException($"a malformed pax record before byte {at}");
            if (record[..eq] == "path") path = record[(eq + 1)..];
            if (record[..eq] == "size") length = long.Parse(record[(eq + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            i += n;
        }
        return (path, length);
    }

    string ReadText(long offset, long length)
    {
        var bytes = new byte[length];
        RandomAccess.Read(_file.SafeFileHandle, bytes, offset);
        return System.Text.Encoding.UTF8.GetString(bytes);
    }

    static string CString(ReadOnlySpan<byte> field)
    {
        int nul = field.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(nul < 0 ? field : field[..nul]);
    }

    /// <summary>An octal number field (NUL or space terminated), or GNU's base-256 for big sizes.</summary>
    static long Octal(ReadOnlySpan<byte> field, string what, long at)
    {
        if ((field[0] & 0x80) != 0)
        {
            long big = 0;
            foreach (var b in field[1..]) big = checked(big << 8 | b);
            return big;
        }
        var text = System.Text.Encoding.ASCII.GetString(field).Trim(' ', '\0');
        try { return text.Length == 0 ? 0 : Convert.ToInt64(text, 8); }
        catch (FormatException) { throw new InvalidDataException($"the {what} field of the header at byte {at} is not a number"); }
    }

    void RequireZeros(long from, long to, string what)
    {
        Span<byte> buffer = stackalloc byte[Block];
        for (long at = from; at < to; at += Block)
        {
            int n = (int)Math.Min(Block, to - at);
            RandomAccess.Read(_file.SafeFileHandle, buffer[..n], at);
            if (buffer[..n].ContainsAnyExcept((byte)0)) throw new InvalidDataException($"{what} is not zeros (at byte {at})");
        }
    }

    static long Padded(long offset) => (offset + Block - 1) / Block * Block;

    static string Normalize(string name)
    {
        while (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
        name = name.TrimEnd('/');
        if (name is ".") return "";
        if (name.StartsWith('/') || name.Split('/').Any(p => p is ".." or "." or ""))
            throw new InvalidDataException($"'{name}' is not a relative path inside the archive");
        return name;
    }

    public void Dispose() => _file.Dispose();
}
