using System.Diagnostics;
using System.Globalization;

namespace Cpe.TestKit;

/// <summary>
/// A hostile local user: a process running as another user that opens up to N connections to a Unix socket and
/// holds them idle, reporting every half second how many the server has not closed ("open N" lines).
/// </summary>
public sealed class ConnectionFlood : IAsyncDisposable
{
    const string Script = """
        import socket, sys, time
        path, count, hold = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
        socks, errors = [], {}
        # A full listen backlog answers EAGAIN at once (a Unix socket does not wait): that is a server slower than
        # the flood, not a refusal, so it is retried until the connecting phase's budget has gone.
        connect_until = time.time() + 3
        def connect():
            while True:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(2)
                try:
                    s.connect(path)
                    return s
                except BlockingIOError:
                    s.close()
                    if time.time() > connect_until: raise
                    time.sleep(0.01)
                except OSError:
                    s.close()
                    raise
        for _ in range(count):
            try:
                socks.append(connect())
            except OSError as e:   # EMFILE here is this user's own descriptor limit: hold what it has
                errors[e.strerror] = errors.get(e.strerror, 0) + 1
                if time.time() > connect_until or e.errno == 24: break
        print("connected", len(socks), errors, flush=True)
        def still_open():
            n = 0
            for s in socks:
                try:
                    s.setblocking(False)
                    if s.recv(1): n += 1
                except BlockingIOError:
                    n += 1
                except OSError:
                    pass
            return n
        deadline = time.time() + hold
        while time.time() < deadline:
            print("open", still_open(), flush=True)
            time.sleep(0.5)
        print("open", still_open(), flush=True)
        """;

    readonly Process _process;
    readonly List<string> _lines = [];

    ConnectionFlood(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_lines) _lines.Add(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Starts the flood as <paramref name="user"/>: <paramref name="count"/> connections held for <paramref name="hold"/>.</summary>
    public static ConnectionFlood Start(string socketPath, string user, int count, TimeSpan hold)
    {
        var psi = new ProcessStartInfo("runuser", ["-u", user, "--", "python3", "-c", Script, socketPath,
            count.ToString(CultureInfo.InvariantCulture), hold.TotalSeconds.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return new ConnectionFlood(Process.Start(psi)!);
    }

    /// <summary>How many connections the server had not closed at the latest report, or -1 before the first.</summary>
    public int OpenNow
    {
        get
        {
            lock (_lines)
                for (int i = _lines.Count - 1; i >= 0; i--)
                    if (_lines[i].StartsWith("open ", StringComparison.Ordinal)) return int.Parse(_lines[i][5..], CultureInfo.InvariantCulture);
            return -1;
        }
    }

    public string Report { get { lock (_lines) return string.Join('\n', _lines); } }

    /// <summary>Waits until the flood has ended by itself; returns its last count of open connections.</summary>
    public async Task<int> FinishAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();   // drains the output handlers
        return OpenNow;
    }

    public async ValueTask DisposeAsync()
    {
        try { if (!_process.HasExited) _process.Kill(); } catch (InvalidOperationException) { }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
