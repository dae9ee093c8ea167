using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Nerdbank.Streams;

namespace Cpe.Api;

/// <summary>
/// A connection to cped's local API: one Unix socket carrying a MultiplexingStream, with the
/// "rpc" channel for calls and, on demand, the "events" and "logs" channels.
/// </summary>
public sealed class ApiClient : IAsyncDisposable
{
    public const string DefaultSocket = "/run/cpe/api.sock";

    readonly Socket _socket;
    readonly MultiplexingStream _mux;
    readonly MultiplexingStream.Channel _rpc;
    readonly SemaphoreSlim _writeGate = new(1, 1);
    readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    readonly CancellationTokenSource _closing = new();
    readonly TaskCompletionSource<RpcException> _unsolicited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Task _reader;
    volatile Exception? _lost;
    long _nextId;

    ApiClient(Socket socket, MultiplexingStream mux, MultiplexingStream.Channel rpc)
    {
        _socket = socket;
        _mux = mux;
        _rpc = rpc;
        _reader = Task.Run(ReadResponsesAsync);
    }

    public static MultiplexingStream.Options MuxOptions => new() { ProtocolMajorVersion = 3 };

    public static async Task<ApiClient> ConnectAsync(string socketPath, string clientName, CancellationToken ct = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
            var mux = await MultiplexingStream.CreateAsync(new NetworkStream(socket, ownsSocket: false), MuxOptions, ct).ConfigureAwait(false);
            var rpc = await mux.OfferChannelAsync(ApiMethods.RpcChannel, ct).ConfigureAwait(false);
            var client = new ApiClient(socket, mux, rpc);
            await client.CallAsync(ApiMethods.Hello, new HelloParams(clientName), ApiJsonContext.Default.HelloParams,
                ApiJsonContext.Default.Identity, ct).ConfigureAwait(false);
            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task<TResult> CallAsync<TParams, TResult>(string method, TParams parameters,
        JsonTypeInfo<TParams> paramsInfo, JsonTypeInfo<TResult> resultInfo, CancellationToken ct = default)
    {
        long id = Interlocked.Increment(ref _nextId);
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = tcs;
        try
        {
            // Checked after registering: either the reader fails this call, or we see it has ended.
            if (_lost is Exception lost) throw new ApiConnectionLostException(lost.Message, lost);
            byte[] request = RpcEnvelope.Request(id, method, parameters, paramsInfo);
            // cped would skip it unread: say so here, rather than send what can only come back as an error.
            if (request.Length > ApiMethods.MaxMessageBytes)
                throw new RpcException(RpcErrorCodes.MessageTooLarge,
                    $"{method}: the request is {request.Length} bytes, over the local API's limit of {ApiMethods.MaxMessageBytes} bytes");
            await SendRawAsync(request, ct).ConfigureAwait(false);
            using var reg = ct.Register(() => tcs.TrySetCanceled(ct));
            JsonElement result = await tcs.Task.ConfigureAwait(false);
            return result.Deserialize(resultInfo)
                ?? throw new RpcException(RpcErrorCodes.InternalError, $"{method}: empty result");
        }
        finally { _pending.TryRemove(id, out _); }
    }

    /// <summary>Sends bytes as one message on the rpc channel, as-is (tests use it to send garbage).</summary>
    public ValueTask SendRawAsync(ReadOnlyMemory<byte> message, CancellationToken ct = default) =>
        MessageFraming.WriteAsync(_rpc.Output, message, _writeGate, ct);

    /// <summary>The next error response that carried no request id (a message the server could not read).</summary>
    public Task<RpcException> NextUnsolicitedErrorAsync() => _unsolicited.Task;

    /// <summary>Opens the events channel and yields events until cancelled or the daemon goes away.</summary>
    public IAsyncEnumerable<ApiEvent> EventsAsync(CancellationToken ct = default) =>
        ReadChannelAsync(ApiMethods.EventsChannel, ApiJsonContext.Default.ApiEvent, ct);

    /// <summary>Opens the logs channel and yields structured log lines.</summary>
    public IAsyncEnumerable<LogLine> LogsAsync(CancellationToken ct = default) =>
        ReadChannelAsync(ApiMethods.LogsChannel, ApiJsonContext.Default.LogLine, ct);

    async IAsyncEnumerable<T> ReadChannelAsync<T>(string name, JsonTypeInfo<T> info, [EnumeratorCancellation] CancellationToken ct)
    {
        var channel = await _mux.OfferChannelAsync(name, ct).ConfigureAwait(false);
        var items = System.Threading.Channels.Channel.CreateBounded<T>(256);
        var pump = MessageFraming.ReadAsync(channel.Input, ApiMethods.MaxMessageBytes,
            m => { var item = JsonSerializer.Deserialize(ToArray(m), info); return item is null ? ValueTask.CompletedTask : items.Writer.WriteAsync(item, ct); },
            _ => ValueTask.CompletedTask, ct)
            .ContinueWith(t => items.Writer.TryComplete(), TaskScheduler.Default);
        try
        {
            await foreach (var item in items.Reader.ReadAllAsync(ct).ConfigureAwait(false)) yield return item;
        }
        finally
        {
            // Disposing the channel ends the pump's read; wait for it so nothing outlives the enumeration.
            channel.Dispose();
            await pump.ConfigureAwait(false);
        }
    }

    async Task ReadResponsesAsync()
    {
        Exception failure = new ApiConnectionLostException("the connection to cped was closed");
        try
        {
            await MessageFraming.ReadAsync(_rpc.Input, 64 * ApiMethods.MaxMessageBytes, OnResponse,
                _ => ValueTask.CompletedTask, _closing.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            failure = new ApiConnectionLostException("the connection to cped was lost: " + e.Message, e);
        }
        _lost = failure;
        foreach (var p in _pending.Values) p.TrySetException(failure);
    }

    ValueTask OnResponse(ReadOnlySequence<byte> message)
    {
        using var doc = JsonDocument.Parse(ToArray(message));
        var root = doc.RootElement;
        long? id = root.TryGetProperty("id", out var idEl) && idEl.ValueKind == JsonValueKind.Number ? idEl.GetInt64() : null;
        if (root.TryGetProperty("error", out var err))
        {
            var body = err.Deserialize(ApiJsonContext.Default.RpcErrorBody)!;
            var ex = new RpcException(body.Code, body.Message, body.Data);
            if (id is long i && _pending.TryGetValue(i, out var tcs)) tcs.TrySetException(ex);
            else _unsolicited.TrySetResult(ex);
        }
        else if (id is long i && _pending.TryGetValue(i, out var tcs) && root.TryGetProperty("result", out var result))
            tcs.TrySetResult(result.Clone());
        return ValueTask.CompletedTask;
    }

    static byte[] ToArray(ReadOnlySequence<byte> s) => s.ToArray();

    public async ValueTask DisposeAsync()
    {
        _closing.Cancel();
        try { await _rpc.Output.CompleteAsync().ConfigureAwait(false); } catch (Exception) { /* already closed */ }
        _rpc.Dispose();
        await _mux.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
        try { await _reader.ConfigureAwait(false); } catch (Exception) { /* reported to callers already */ }
    }
}
