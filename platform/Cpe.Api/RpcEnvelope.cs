using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Cpe.Api;

/// <summary>Writes JSON-RPC 2.0 requests and responses; the payloads go through the source-generated context.</summary>
public static class RpcEnvelope
{
    public static byte[] Request<T>(long id, string method, T parameters, JsonTypeInfo<T> info)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WriteNumber("id", id);
            w.WriteString("method", method);
            w.WritePropertyName("params");
            JsonSerializer.Serialize(w, parameters, info);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Result(JsonElement? id, Action<Utf8JsonWriter> writeResult) => Response(id, "result", writeResult);

    public static byte[] Error(JsonElement? id, RpcErrorBody error) =>
        Response(id, "error", w => JsonSerializer.Serialize(w, error, ApiJsonContext.Default.RpcErrorBody));

    static byte[] Response(JsonElement? id, string member, Action<Utf8JsonWriter> writeValue)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            WriteId(w, id);
            w.WritePropertyName(member);
            writeValue(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    static void WriteId(Utf8JsonWriter w, JsonElement? id)
    {
        w.WritePropertyName("id");
        if (id is JsonElement e) e.WriteTo(w);
        else w.WriteNullValue();
    }
}
