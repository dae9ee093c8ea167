using System.Text;

namespace Cpe.Platform.Logging;

/// <summary>
/// The platform's log on the data partition ("show log messages" reads it): lines appended to FILE, which is moved
/// to FILE.0 when the next line would take it past <see cref="MaxBytes"/>, so the log keeps at most twice that on a
/// box that runs for years. Each line is written whole and flushed: a crash loses nothing already logged.
/// </summary>
public sealed class RotatingLogFile : TextWriter
{
    public const long MaxBytes = 1 << 20;
    readonly string _path;
    readonly long _maxBytes;
    readonly Lock _gate = new();
    FileStream _file;

    public RotatingLogFile(string path, long maxBytes = MaxBytes)
    {
        _path = path;
        _maxBytes = maxBytes;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _file = Open();
    }

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>The older file, which the newest lines pushed out of <paramref name="path"/>.</summary>
    public static string Previous(string path) => path + ".0";

    public override void WriteLine(string? value)
    {
        byte[] line = Encoding.UTF8.GetBytes((value ?? "") + "\n");
        lock (_gate)
        {
            if (_file.Length > 0 && _file.Length + line.Length > _maxBytes)
            {
                _file.Dispose();
                File.Move(_path, Previous(_path), overwrite: true);
                _file = Open();
            }
            _file.Write(line);
            _file.Flush();
        }
    }

    public override void Write(char value) => WriteLine(value.ToString());

    FileStream Open() => new(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);

    protected override void Dispose(bool disposing)
    {
        if (disposing) lock (_gate) _file.Dispose();
        base.Dispose(disposing);
    }
}
