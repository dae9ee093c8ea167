namespace Cpe.Vnf.Runtime;

/// <summary>
/// A VNF's standard output and error in one file that never grows past <paramref name="limit"/> bytes: when it
/// would, it becomes FILE.1 (replacing the older one) and a new FILE starts, so at most twice the limit is kept.
/// </summary>
public sealed class BoundedLog(string path, long limit) : IDisposable
{
    readonly object _gate = new();
    FileStream _file = Open(path);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            if (_file.Length + bytes.Length > limit && _file.Length > 0)
            {
                _file.Dispose();
                File.Move(path, path + ".1", overwrite: true);
                _file = Open(path);
            }
            _file.Write(bytes.Length > limit ? bytes[^(int)limit..] : bytes);
            _file.Flush();
        }
    }

    /// <summary>Copies a stream into the log until it ends (a pipe from the VNF).</summary>
    public async Task PumpAsync(Stream from)
    {
        var buffer = new byte[16384];
        int n;
        while ((n = await from.ReadAsync(buffer)) > 0) Append(buffer.AsSpan(0, n));
    }

    static FileStream Open(string path) => new(path, FileMode.Append, FileAccess.Write, FileShare.Read);

    public void Dispose() { lock (_gate) _file.Dispose(); }
}
