using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Cpe.Api;
using Cpe.Config;
using Cpe.Platform.Configuration;

namespace Cpe.Platform.Api;

// The "rpc" channel: parse, authorize, dispatch, and map every failure to a JSON-RPC error.
public sealed partial class ApiServer
{
    async Task ServeRpcAsync(ApiSession session, PipeReader input, PipeWriter output, CancellationToken ct)
    {
        var gate = new SemaphoreSlim(1, 1);
        await MessageFraming.ReadAsync(input, ApiMethods.MaxMessageBytes,
            async message =>
            {
                byte[]? reply = await HandleAsync(session, message, ct);
                if (reply is not null) await MessageFraming.WriteAsync(output, reply, gate, ct);
            },
            async start =>
            {
                session.Touch(_clock.GetUtcNow());
                Log.SessionProblem(_log, session.Id, "message larger than the limit skipped");
                var id = RpcEnvelope.TryReadId(start.Length > IdSearchBytes ? start.Slice(0, IdSearchBytes) : start);
                await MessageFraming.WriteAsync(output, RpcEnvelope.Error(id, new RpcErrorBody(RpcErrorCodes.MessageTooLarge,
                    $"request larger than the local API's limit of {ApiMethods.MaxMessageBytes} bytes; not carried out")), gate, ct);
            }, ct);
    }

    /// <summary>How far into an oversized request its id is looked for.</summary>
    const int IdSearchBytes = 64 * 1024;

    /// <summary>Handles one request; null for a notification (no id), which gets no answer.</summary>
    async Task<byte[]?> HandleAsync(ApiSession session, ReadOnlySequence<byte> message, CancellationToken ct)
    {
        session.Touch(_clock.GetUtcNow());
        // JSON is UTF-8 (RFC 8259 §8.1). System.Text.Json finds bad bytes only when a string is read, deep in a
        // handler, where they would be an internal error or, decoded leniently, U+FFFD in a stored string.
        if (!IsUtf8(message)) return RpcEnvelope.Error(null, new RpcErrorBody(RpcErrorCodes.ParseError, "parse error: the message is not UTF-8"));
        JsonDocument doc;
        try { doc = JsonDocument.Parse(message, new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false }); }
        catch (JsonException e)
        {
            return RpcEnvelope.Error(null, new RpcErrorBody(RpcErrorCodes.ParseError, "parse error: " + e.Message));
        }
        using (doc)
        {
            var root = doc.RootElement;
            JsonElement? id = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var idEl) ? idEl.Clone() : null;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("jsonrpc", out var v) || v.ValueKind != JsonValueKind.String || v.GetString() != "2.0"
                || !root.TryGetProperty("method", out var m) || m.ValueKind != JsonValueKind.String
                || id is { ValueKind: not (JsonValueKind.Number or JsonValueKind.String or JsonValueKind.Null) })
                return RpcEnvelope.Error(id, new RpcErrorBody(RpcErrorCodes.InvalidRequest, "invalid request: expected a JSON-RPC 2.0 request object"));
            string name = m.GetString()!;
            JsonElement? parameters = root.TryGetProperty("params", out var p) ? p : null;
            try
            {
                var method = _methods.Find(name) ?? throw new RpcException(RpcErrorCodes.MethodNotFound, $"method not found: {name}");
                Authorize(session, method);
                var write = await method.Handler(session, parameters, ct);
                return id is null ? null : RpcEnvelope.Result(id, write);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                var error = ToError(name, e);
                return RpcEnvelope.Error(id, error);
            }
        }
    }

    static bool IsUtf8(ReadOnlySequence<byte> message)
    {
        if (message.IsSingleSegment) return System.Text.Unicode.Utf8.IsValid(message.FirstSpan);
        return System.Text.Unicode.Utf8.IsValid(message.ToArray());
    }

    void Authorize(ApiSession session, MethodTable.Method method)
    {
        bool allowed = method.Access == Access.Root ? session.CanAssume : RoleResolver.Allows(session.Role, method.Access);
        if (allowed) return;
        string why = method.Access == Access.Root
            ? $"{method.Name} is only for the console's login program (uid 0)"
            : $"user '{session.User}' (role {RoleResolver.Name(session.Role)}) may not call {method.Name}";
        Log.Refused(_log, session.Id, method.Name, why);
        throw new RpcException(RpcErrorCodes.PermissionDenied, "permission denied: " + why);
    }

    RpcErrorBody ToError(string method, Exception e) => e switch
    {
        RpcException r => r.ToBody(),
        ConfigException c => new RpcErrorBody(RpcErrorCodes.ConfigInvalid, c.Message,
            new RpcErrorData(c.Errors.Select(x => new ErrorItem(x.Path, x.Message)).ToArray())),
        CommitFailedException f => new RpcErrorBody(RpcErrorCodes.CommitFailed, f.Message, new RpcErrorData(Subsystem: f.Subsystem)),
        ConfigLockedException l => new RpcErrorBody(RpcErrorCodes.Locked, l.Message),
        ConfigModifiedException m => new RpcErrorBody(RpcErrorCodes.ConfigModified, m.Message),
        NotConfiguringException n => new RpcErrorBody(RpcErrorCodes.NotConfiguring, n.Message),
        ShuttingDownException s => new RpcErrorBody(RpcErrorCodes.ShuttingDown, s.Message),
        NoSuchRevisionException r => new RpcErrorBody(RpcErrorCodes.NotFound, r.Message),
        _ => Internal(method, e),
    };

    RpcErrorBody Internal(string method, Exception e)
    {
        Log.MethodFailed(_log, method, e.ToString());
        return new RpcErrorBody(RpcErrorCodes.InternalError, $"internal error in {method}: {e.Message}");
    }
}
