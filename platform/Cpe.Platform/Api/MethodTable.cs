using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cpe.Api;

namespace Cpe.Platform.Api;

/// <summary>
/// The API's methods by name, each with the access it requires and typed (source-generated)
/// parameters and result, so dispatch needs no reflection.
/// </summary>
public sealed class MethodTable
{
    public delegate Task<Action<Utf8JsonWriter>> Handler(ApiSession session, JsonElement? parameters, CancellationToken ct);

    public sealed record Method(string Name, Access Access, Handler Handler);

    readonly Dictionary<string, Method> _methods = new(StringComparer.Ordinal);

    public void Add<TParams, TResult>(string name, Access access, JsonTypeInfo<TParams> paramsInfo, JsonTypeInfo<TResult> resultInfo,
        Func<ApiSession, TParams, CancellationToken, Task<TResult>> handler)
    {
        _methods.Add(name, new Method(name, access, async (session, element, ct) =>
        {
            TParams parameters = Parse(element, paramsInfo, name);
            TResult result = await handler(session, parameters, ct).ConfigureAwait(false);
            return w => JsonSerializer.Serialize(w, result, resultInfo);
        }));
    }

    public Method? Find(string name) => _methods.GetValueOrDefault(name);

    public IEnumerable<string> Names => _methods.Keys;

    static T Parse<T>(JsonElement? element, JsonTypeInfo<T> info, string method)
    {
        try
        {
            if (element is not JsonElement e || e.ValueKind == JsonValueKind.Null)
                return JsonSerializer.Deserialize("{}", info) ?? throw Invalid(method, "parameters are required");
            if (e.ValueKind != JsonValueKind.Object) throw Invalid(method, "params must be an object");
            return e.Deserialize(info) ?? throw Invalid(method, "parameters are required");
        }
        catch (JsonException ex)
        {
            throw Invalid(method, ex.Message);
        }
    }

    static RpcException Invalid(string method, string why) =>
        new(RpcErrorCodes.InvalidParams, $"invalid params for {method}: {why}");
}
