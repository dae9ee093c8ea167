using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cpe.TestKit;

/// <summary>
/// A plain HTTP/1.1 server for files in a folder, on the loopback address (QEMU's user network reaches it as
/// 10.0.2.2), with Range requests (206, Content-Range) and an access log of every request's path, range and bytes
/// sent: a download server for the box's installer, observable. It can cut a response after a number of bytes, to
/// break a download the way a network does. One request per connection.
/// </summary>
public sealed class RangeFileServer : IDisposable
{
    readonly TcpListener _listener;
    readonly string _folder;
    readonly Func<string, byte[]?>? _made;
    readonly List<string> _log = [];
    readonly Task _loop;

    public int Port { get; }
    public IReadOnlyList<string> AccessLog { get { lock (_log) return [.. _log]; } }

    /// <summary>When set, the next response ends (the connection is dropped) after this many body bytes.</summary>
    public long? CutNextAfter { get; set; }

    (long Offset, TaskCompletionSource<string> Done, bool Hold, long? RequestStart)? _cutAt;
    volatile TaskCompletionSource? _held;
    readonly TaskCompletionSource<string> _firstHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The next response that reaches file offset <paramref name="offset"/> ends there (the connection is dropped);
    /// the task completes, with that request's log line, once it has. With <paramref name="thenHold"/>, every request
    /// after the cut is logged when it arrives and left unanswered until <see cref="Release"/> (a server gone quiet),
    /// so that a test can see the box ask again and know what it had received. With <paramref name="requestStart"/>,
    /// only a request for a range starting there is cut: one the client reads to the cut, not one it has abandoned
    /// while the server's writes sat in socket buffers.
    /// </summary>
    public Task<string> CutAt(long offset, bool thenHold = false, long? requestStart = null)
    {
        var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _cutAt = (offset, done, thenHold, requestStart);
        return done.Task;
    }

    /// <summary>The first request held after a cut (its log line).</summary>
    public Task<string> FirstHeld => _firstHeld.Task;

    /// <summary>Answers the held requests' successors again (the held ones themselves are dropped).</summary>
    public void Release() => Interlocked.Exchange(ref _held, null)?.TrySetResult();

    /// <param name="folder">The files served.</param>
    /// <param name="made">Files made when asked for (by name; null: not one of them): a test's many variants of a file.</param>
    /// <param name="netns">A network namespace (its path) to listen in, on its loopback address: a box's own view.</param>
    public RangeFileServer(string folder, Func<string, byte[]?>? made = null, string? netns = null)
    {
        _folder = folder;
        _made = made;
        // A socket belongs to the namespace it was made in, whichever thread accepts on it later.
        TcpListener? listener = null;
        void Listen() { listener = new TcpListener(IPAddress.Loopback, 0); listener.Start(); }
        if (netns is null) Listen();
        else Cpe.Interop.Namespaces.RunInNetwork(netns, Listen);
        _listener = listener!;
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(ServeAsync);
    }

    async Task ServeAsync()
    {
        while (true)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => AnswerAsync(client));
        }
    }

    async Task AnswerAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        string path = "?", range = "-";
        long sent = 0;
        TaskCompletionSource<string>? cutDone = null;
        bool wasHeld = false;
        try
        {
            var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
            var request = (await reader.ReadLineAsync())?.Split(' ');
            string? line;
            while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync()))
                if (line.StartsWith("Range:", StringComparison.OrdinalIgnoreCase)) range = line[6..].Trim();
            if (request is not { Length: 3 } || request[0] != "GET") return;
            path = request[1];
            if (_held is { } held)
            {
                string entry = $"HELD {path} range={range}";
                lock (_log) _log.Add(entry);
                _firstHeld.TrySetResult(entry);
                await held.Task;
                wasHeld = true;   // logged as HELD when it came; never answered
                return;
            }
            string file = Path.Combine(_folder, Path.GetFileName(path));
            await using Stream? content = _made?.Invoke(Path.GetFileName(path)) is { } made ? new MemoryStream(made, writable: false)
                : File.Exists(file) ? File.OpenRead(file) : null;
            if (content is null)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                return;
            }
            long start = 0, end = content.Length - 1;
            string status = "200 OK", extra = "";
            if (range.StartsWith("bytes=", StringComparison.Ordinal))
            {
                var parts = range[6..].Split('-');
                start = long.Parse(parts[0]);
                if (parts[1].Length > 0) end = Math.Min(end, long.Parse(parts[1]));
                status = "206 Partial Content";
                extra = $"Content-Range: bytes {start}-{end}/{content.Length}\r\n";
            }
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: {end - start + 1}\r\n{extra}Accept-Ranges: bytes\r\nConnection: close\r\n\r\n"));
            content.Position = start;
            long? cut = CutNextAfter;
            CutNextAfter = null;
            if (_cutAt is var (at, done, hold, from) && at > start && at <= end && (from is null || from == start))
            {
                cut = at - start;
                cutDone = done;
                _cutAt = null;
                if (hold) _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            var buffer = new byte[1 << 16];
            while (sent < end - start + 1)
            {
                int n = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, end - start + 1 - sent)));
                if (cut is long c) n = (int)Math.Min(n, c - sent);
                if (n <= 0) break;
                await stream.WriteAsync(buffer.AsMemory(0, n));
                sent += n;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException) { }
        finally
        {
            string entry = $"GET {path} range={range} sent={sent}";
            if (!wasHeld) lock (_log) _log.Add(entry);
            cutDone?.TrySetResult(entry);
        }
    }

    public void Dispose()
    {
        Release();
        _listener.Stop();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
