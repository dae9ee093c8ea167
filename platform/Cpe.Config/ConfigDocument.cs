using System.Text.Json;
using System.Text.Json.Nodes;
using Cpe.Config.Schema;

namespace Cpe.Config;

/// <summary>
/// The configuration as stored and exchanged: a JSON object with "schema-version" and the
/// sections of the tree. The tree itself never carries the version, so paths stay clean.
/// </summary>
public static class ConfigDocument
{
    public const string VersionMember = "schema-version";

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// The factory default: what a blank box runs before zero-touch provisioning. With the board's WAN
    /// port, that port asks DHCP for an address (and the phone-home agent for its bootstrap servers).
    /// </summary>
    public static JsonObject FactoryDefault(string? wanPort = null)
    {
        var config = new JsonObject { ["system"] = new JsonObject { ["host-name"] = "cpe" } };
        if (wanPort is not null)
            config["interfaces"] = new JsonObject { ["interface"] = new JsonArray(new JsonObject { ["name"] = wanPort, ["dhcp"] = true }) };
        return config;
    }

    /// <summary>Parses a document; an older schema version is migrated, a newer one refused.</summary>
    public static JsonObject Parse(string json)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 32, AllowDuplicateProperties = false }); }
        catch (JsonException e) { throw new ConfigException("", $"not valid JSON: {e.Message}"); }
        if (node is not JsonObject obj) throw new ConfigException("", "a configuration must be a JSON object");
        int version = ConfigSchema.Version;
        if (obj[VersionMember] is JsonNode v)
        {
            if (v is not JsonValue jv || !jv.TryGetValue(out version))
                throw new ConfigException(VersionMember, "must be a whole number");
            obj.Remove(VersionMember);
        }
        if (version > ConfigSchema.Version)
            throw new ConfigException(VersionMember, $"{version} is newer than this firmware understands ({ConfigSchema.Version})");
        if (version < 1) throw new ConfigException(VersionMember, "must be 1 or more");
        // Migrations from older versions go here, one step per version, when version 2 exists.
        return obj;
    }

    public static string Serialize(JsonObject tree, bool indented = false)
    {
        var doc = new JsonObject { [VersionMember] = ConfigSchema.Version };
        foreach (var (k, v) in tree) doc[k] = v?.DeepClone();
        return doc.ToJsonString(indented ? Indented : null);
    }
}
