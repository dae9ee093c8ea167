using System.Diagnostics;

namespace Cpe.TestKit;

/// <summary>
/// A program running in the background for a test (the bootstrap server, the phone-home agent): every line it prints
/// is kept, timestamped, and written to a log file; a test can wait for a line. Killed on dispose.
/// </summary>
public sealed class LoggedProcess : IAsyncDisposable
{
    readonly List<(DateTimeOffset Time, string Line)> _lines = [];
    readonly StreamWriter _log;
    readonly SemaphoreSlim _changed = new(0);

    public Process Process { get; }

    /// <summary>Where each line is also written as it arrives (the demo shows the agent's console live).</summary>
    public TextWriter? Echo { get; private init; }
    public string LogPath { get; }

    LoggedProcess(Process process, string logPath)
    {
        Process = process;
        LogPath = logPath;
        _log = new StreamWriter(logPath, append: true) { AutoFlush = true };
    }

    public static LoggedProcess Start(string file, IEnumerable<string> args, string logPath, TextWriter? echo = null)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var p = new LoggedProcess(Process.Start(psi)!, logPath) { Echo = echo };
        p.Process.OutputDataReceived += (_, e) => p.Add(e.Data);
        p.Process.ErrorDataReceived += (_, e) => p.Add(e.Data);
        p.Process.BeginOutputReadLine();
        p.Process.BeginErrorReadLine();
        p.Process.EnableRaisingEvents = true;
        p.Process.Exited += (_, _) => p._changed.Release();
        return p;
    }

    void Add(string? line)
    {
        if (line is null) return;
        lock (_lines)
        {
            _lines.Add((DateTimeOffset.UtcNow, line));
            _log.WriteLine(line);
            Echo?.WriteLine(line);
        }
        _changed.Release();
    }

    public IReadOnlyList<(DateTimeOffset Time, string Line)> Lines { get { lock (_lines) return _lines.ToList(); } }

    public string Output => string.Join('\n', Lines.Select(l => l.Line));

    /// <summary>The first line (from the start) that matches, with the time it was printed.</summary>
    public async Task<(DateTimeOffset Time, string Line)> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            foreach (var l in Lines) if (match(l.Line)) return l;
            if (Process.HasExited) throw new InvalidOperationException($"{what}: the process exited with {Process.ExitCode} first:\n{Output}");
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"{what}: not seen within {timeout.TotalSeconds:0} s:\n{Output}");
            await _changed.WaitAsync(left);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await Process.WaitForExitAsync(cts.Token);
        return Process.ExitCode;
    }

    public void Kill()
    {
        try { if (!Process.HasExited) Process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        Process.WaitForExit(5000);
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        Process.Dispose();
        lock (_lines) _log.Dispose();
        return ValueTask.CompletedTask;
    }
}
