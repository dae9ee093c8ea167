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

    /// <summary>
    /// The id of a request from its first bytes alone (an oversized request is never parsed whole): the value of
    /// the top-level "id" member if it is a number or a string and comes before the bytes run out, else null.
    /// </summary>
    public static JsonElement? TryReadId(ReadOnlySequence<byte> start)
    {
        var reader = new Utf8JsonReader(start, isFinalBlock: false, new JsonReaderState(new JsonReaderOptions { MaxDepth = 64 }));
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read())
            {
                if (reader.CurrentDepth != 1 || reader.TokenType != JsonTokenType.PropertyName) continue;
                if (!reader.ValueTextEquals("id"u8)) continue;
                if (!reader.Read()) return null;
                if (reader.TokenType is not (JsonTokenType.Number or JsonTokenType.String)) return null;
                var copy = reader;   // a value token is complete once read: parse it alone
                return JsonElement.ParseValue(ref copy);
            }
        }
        catch (JsonException) { }
        return null;
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
