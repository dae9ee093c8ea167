using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;
using Cpe.Api;
using Cpe.Config;
using Cpe.Interop;
using Cpe.Platform.Configuration;
using Cpe.Platform.Events;
using Microsoft.Extensions.Logging;
using Nerdbank.Streams;

namespace Cpe.Platform.Api;

/// <summary>
/// The local API on a Unix socket: each connection a MultiplexingStream whose "rpc" channel carries
/// JSON-RPC 2.0, and whose "events" and "logs" channels stream what the daemon records. Callers are
/// identified by SO_PEERCRED. A misbehaving client gets errors or is dropped; others are unaffected.
/// </summary>
public sealed partial class ApiServer : IAsyncDisposable
{
    readonly string _socketPath;
    readonly MethodTable _methods;
    readonly SessionRegistry _sessions;
    readonly RoleResolver _roles;
    readonly ConfigEngine _engine;
    readonly PlatformEvents _events;
    readonly Broadcast<LogLine> _logs;
    readonly TimeProvider _clock;
    readonly ILogger _log;
    readonly ApiLimits _limits;
    readonly ConnectionGate _gate;
    readonly RefusalLog _refusals;
    readonly StormRelief _relief;
    readonly CancellationTokenSource _stop = new();
    readonly List<Task> _connections = [];
    Socket? _listener;
    Task? _acceptLoop;

    public ApiServer(string socketPath, MethodTable methods, SessionRegistry sessions, RoleResolver roles, ConfigEngine engine,
        PlatformEvents events, Broadcast<LogLine> logs, TimeProvider clock, ILogger<ApiServer> log, ApiLimits? limits = null)
    {
        _limits = limits ?? ApiLimits.Default;
        _gate = new ConnectionGate(_limits);
        _refusals = new RefusalLog(log, clock);
        _relief = new StormRelief(clock);
        _socketPath = socketPath;
        _methods = methods;
        _sessions = sessions;
        _roles = roles;
        _engine = engine;
        _events = events;
        _logs = logs;
        _clock = clock;
        _log = log;
    }

    public void Start()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_socketPath))!);
        if (File.Exists(_socketPath)) File.Delete(_socketPath);   // a stale socket from a previous run
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(_socketPath));
        // Anyone may connect; what they may do is decided per call from their peer credentials.
        File.SetUnixFileMode(_socketPath, (UnixFileMode)0b110_110_110);
        _listener.Listen(64);
        _acceptLoop = AcceptLoopAsync(_stop.Token);
        _relief.Start();
    }

    /// <summary>
    /// Accepts until stopped, whatever accept says: running out of descriptors (EMFILE) or any other error is
    /// logged and waited out, never the end of the loop, so the API comes back once the pressure goes.
    /// </summary>
    async Task AcceptLoopAsync(CancellationToken ct)
    {
        var pause = AcceptRetryMin;
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener!.AcceptAsync(ct);
                pause = AcceptRetryMin;
            }
            catch (OperationCanceledException) { break; }
            catch (Exception e) when (e is SocketException or ObjectDisposedException && ct.IsCancellationRequested) { break; }
            catch (Exception e)
            {
                _refusals.Note(RefusalKind.AcceptFailed, e is SocketException s ? $"accept failed ({s.SocketErrorCode}): {s.Message}" : "accept failed: " + e.Message);
                try { await Task.Delay(pause, _clock, ct); } catch (OperationCanceledException) { break; }
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, AcceptRetryMax.Ticks));
                continue;
            }
            var task = Task.Run(() => ServeConnectionAsync(client, ct), CancellationToken.None);
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(task);
            }
        }
    }

    static readonly TimeSpan AcceptRetryMin = TimeSpan.FromMilliseconds(20), AcceptRetryMax = TimeSpan.FromSeconds(1);

    /// <summary>Serves one connection; never throws, so a stopping server never sees a connection's fault.</summary>
    async Task ServeConnectionAsync(Socket socket, CancellationToken serverCt)
    {
        try
        {
            var peer = PeerCredentials.Of(socket);
            var (user, role) = _roles.Resolve(peer.Uid, _engine.Active());
            using var lease = _gate.TryEnter(peer.Uid, privileged: peer.Uid == 0 || role == Role.Phonehome, out string? refusal);
            if (lease is null)
            {
                _refusals.Note(RefusalKind.Refused, $"connection from pid {peer.Pid} refused: {refusal}");
                return;
            }
            var session = new ApiSession(_sessions.NextId(), peer, user, role, _clock.GetUtcNow());
            await ServeSessionAsync(socket, session, serverCt);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _refusals.Note(RefusalKind.FailedBeforeSession, "connection failed before its session began: " + e.Message);
        }
        finally
        {
            socket.Dispose();
            _relief.Ended();
        }
    }

    async Task ServeSessionAsync(Socket socket, ApiSession session, CancellationToken serverCt)
    {
        _sessions.Add(session);
        Log.SessionOpened(_log, session.Id, session.Peer.Pid, session.Peer.Uid, session.User, RoleResolver.Name(session.Role));
        using var connectionCts = CancellationTokenSource.CreateLinkedTokenSource(serverCt);
        var ct = connectionCts.Token;
        MultiplexingStream? mux = null;
        var serving = new List<Task>();
        try
        {
            mux = await MultiplexingStream.CreateAsync(new NetworkStream(socket, ownsSocket: false), ServerMuxOptions, ct);
            var channels = new ChannelBudget(_limits.ChannelsPerConnection);
            mux.ChannelOffered += (_, offer) => channels.Offered(mux, offer);
            mux.StartListening();
            serving.AddRange(
            [
                AcceptEachAsync(mux, ApiMethods.RpcChannel, channels, ch => ServeRpcAsync(session, ch.Input, ch.Output, ct), ct),
                AcceptEachAsync(mux, ApiMethods.EventsChannel, channels, ch => StreamAsync(_events.Live.Subscribe(ct), ch.Output, ApiJsonContext.Default.ApiEvent, ct), ct),
                AcceptEachAsync(mux, ApiMethods.LogsChannel, channels, ch => StreamAsync(_logs.Subscribe(ct), ch.Output, ApiJsonContext.Default.LogLine, ct), ct),
            ]);
            var ended = Task.WhenAny(mux.Completion, channels.Exceeded, Task.Delay(Timeout.Infinite, ct));
            await Task.WhenAny(session.FirstRequest, ended, Task.Delay(_limits.FirstRequestTimeout, _clock, ct)).ConfigureAwait(false);
            if (!session.FirstRequest.IsCompleted && !ended.IsCompleted)
                Log.SessionProblem(_log, session.Id, $"no request within {_limits.FirstRequestTimeout.TotalSeconds:0.#} s of connecting; connection dropped");
            else
            {
                await ended.ConfigureAwait(false);
                if (channels.Exceeded.IsCompleted) Log.SessionProblem(_log, session.Id, await channels.Exceeded + "; connection dropped");
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException
                                      or MultiplexingProtocolException or EndOfStreamException or InvalidOperationException)
        {
            Log.SessionDropped(_log, session.Id, e);
        }
        finally
        {
            connectionCts.Cancel();
            if (mux is not null) await mux.DisposeAsync();
            // The channels' handlers end with the connection; wait for them, so that a stopping server
            // has nothing of this connection still running.
            await Task.WhenAll(serving);
            await _engine.ExitAsync(session.Id, CancellationToken.None);
            _sessions.Remove(session);
            Log.SessionClosed(_log, session.Id);
        }
    }

    /// <summary>The client's options, read suspended so that no channel offer arrives before the budget watches.</summary>
    static readonly MultiplexingStream.Options ServerMuxOptions = new MultiplexingStream.Options(ApiClient.MuxOptions) { StartSuspended = true }.GetFrozenCopy();

    /// <summary>Accepts every offer of a named channel for the life of the connection.</summary>
    static async Task AcceptEachAsync(MultiplexingStream mux, string name, ChannelBudget budget, Func<MultiplexingStream.Channel, Task> serve, CancellationToken ct)
    {
        var running = new List<Task>();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var channel = await mux.AcceptChannelAsync(name, ct);
                running.Add(Task.Run(async () =>
                {
                    try { await serve(channel); }
                    catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException) { }
                    finally
                    {
                        channel.Dispose();
                        budget.Closed();
                    }
                }, CancellationToken.None));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or IOException or MultiplexingProtocolException) { }
        await Task.WhenAll(running);
    }

    static async Task StreamAsync<T>(ChannelReader<T> items, PipeWriter output, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info, CancellationToken ct)
    {
        var gate = new SemaphoreSlim(1, 1);
        await foreach (var item in items.ReadAllAsync(ct))
            await MessageFraming.WriteAsync(output, JsonSerializer.SerializeToUtf8Bytes(item, info), gate, ct);
    }

    public async ValueTask DisposeAsync()
    {
        _relief.Dispose();
        _stop.Cancel();
        _listener?.Dispose();
        if (_acceptLoop is not null) await _acceptLoop;
        Task[] open;
        lock (_connections) open = _connections.ToArray();
        await Task.WhenAll(open);
        try { File.Delete(_socketPath); } catch (IOException) { }
    }
}
