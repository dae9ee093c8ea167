using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cpe.Sztp;

/// <summary>A boot image the device must run (RFC 8572 §2.2): name and version to compare, where to get it, its hashes.</summary>
public sealed record BootImage(string? OsName, string? OsVersion, IReadOnlyList<string> DownloadUris, IReadOnlyList<ImageHash> Verification);

/// <summary>One image-verification entry; the algorithm is the identity's name without module prefix ("sha-256").</summary>
public sealed record ImageHash(string Algorithm, byte[] Value);

/// <summary>A bootstrap server to go to next; its trust anchor, when given, is a degenerate CMS of its CA chain.</summary>
public sealed record RedirectServer(string Address, int Port = 443, byte[]? TrustAnchor = null);

/// <summary>
/// RFC 8572 conveyed information, as JSON per RFC 7951 and the ietf-sztp-conveyed-info module: either
/// redirect information or onboarding information. Binary leaves are base64, hash values colon-separated hex.
/// </summary>
public abstract record ConveyedInformation
{
    const string Module = "ietf-sztp-conveyed-info";
    const string Artifact = "conveyed information";

    public sealed record Redirect(IReadOnlyList<RedirectServer> Servers) : ConveyedInformation;

    public sealed record Onboarding(BootImage? BootImage = null, string? ConfigurationHandling = null, byte[]? PreConfigurationScript = null,
        byte[]? Configuration = null, byte[]? PostConfigurationScript = null) : ConveyedInformation;

    public byte[] ToJson() => Encoding.UTF8.GetBytes(ToNode().ToJsonString());

    JsonObject ToNode()
    {
        switch (this)
        {
            case Redirect r:
                var servers = new JsonArray();
                foreach (var s in r.Servers)
                {
                    var entry = new JsonObject { ["address"] = s.Address, ["port"] = s.Port };
                    if (s.TrustAnchor is not null) entry["trust-anchor"] = Convert.ToBase64String(s.TrustAnchor);
                    servers.Add((JsonNode)entry);
                }
                return new JsonObject { [$"{Module}:redirect-information"] = new JsonObject { ["bootstrap-server"] = servers } };
            case Onboarding o:
                var info = new JsonObject();
                if (o.BootImage is BootImage b)
                {
                    var image = new JsonObject();
                    if (b.OsName is not null) image["os-name"] = b.OsName;
                    if (b.OsVersion is not null) image["os-version"] = b.OsVersion;
                    if (b.DownloadUris.Count > 0) image["download-uri"] = new JsonArray(b.DownloadUris.Select(u => (JsonNode)JsonValue.Create(u)!).ToArray());
                    if (b.Verification.Count > 0)
                        image["image-verification"] = new JsonArray(b.Verification.Select(h => (JsonNode)new JsonObject
                        {
                            ["hash-algorithm"] = $"{Module}:{h.Algorithm}",
                            ["hash-value"] = string.Join(':', h.Value.Select(x => x.ToString("x2", CultureInfo.InvariantCulture))),
                        }).ToArray());
                    info["boot-image"] = image;
                }
                if (o.ConfigurationHandling is not null) info["configuration-handling"] = o.ConfigurationHandling;
                if (o.PreConfigurationScript is not null) info["pre-configuration-script"] = Convert.ToBase64String(o.PreConfigurationScript);
                if (o.Configuration is not null) info["configuration"] = Convert.ToBase64String(o.Configuration);
                if (o.PostConfigurationScript is not null) info["post-configuration-script"] = Convert.ToBase64String(o.PostConfigurationScript);
                return new JsonObject { [$"{Module}:onboarding-information"] = info };
            default:
                throw new InvalidOperationException("unknown conveyed information");
        }
    }

    /// <summary>Reads either form; anything the module does not allow is a <see cref="SztpVerificationException"/> naming the node.</summary>
    public static ConveyedInformation Parse(ReadOnlySpan<byte> json)
    {
        JsonObject root;
        try { root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject ?? throw Bad("is not a JSON object"); }
        catch (JsonException e) { throw new SztpVerificationException(Artifact, "is not JSON", e); }
        if (root.Count != 1) throw Bad("must hold exactly one of redirect-information and onboarding-information");
        var (name, node) = root.First();
        return name switch
        {
            $"{Module}:redirect-information" => ParseRedirect(Object(node, "redirect-information")),
            $"{Module}:onboarding-information" => ParseOnboarding(Object(node, "onboarding-information")),
            _ => throw Bad($"has an unknown top-level node '{name}'"),
        };
    }

    static Redirect ParseRedirect(JsonObject r)
    {
        Only(r, "redirect-information", "bootstrap-server");
        var servers = (r["bootstrap-server"] as JsonArray ?? throw Bad("redirect-information needs at least one bootstrap-server"))
            .Select(n => Object(n, "bootstrap-server")).Select(s =>
            {
                Only(s, "bootstrap-server", "address", "port", "trust-anchor");
                string address = Text(s, "address") ?? throw Bad("bootstrap-server needs an address");
                long port = s["port"] is JsonValue p && p.TryGetValue(out long n) ? n : s.ContainsKey("port") ? throw Bad("bootstrap-server port is not a number") : 443;
                if (port is < 0 or > 65535) throw Bad($"bootstrap-server port {port} is out of range");
                return new RedirectServer(address, (int)port, Binary(s, "trust-anchor"));
            }).ToList();
        if (servers.Count == 0) throw Bad("redirect-information needs at least one bootstrap-server");
        if (servers.GroupBy(s => s.Address).FirstOrDefault(g => g.Count() > 1) is { } twice) throw Bad($"bootstrap-server {twice.Key} is listed twice");
        return new Redirect(servers);
    }

    static Onboarding ParseOnboarding(JsonObject o)
    {
        Only(o, "onboarding-information", "boot-image", "configuration-handling", "pre-configuration-script", "configuration", "post-configuration-script");
        BootImage? image = null;
        if (o["boot-image"] is JsonNode b)
        {
            var bi = Object(b, "boot-image");
            Only(bi, "boot-image", "os-name", "os-version", "download-uri", "image-verification");
            var uris = (bi["download-uri"] as JsonArray)?.Select(u => u is JsonValue v && v.TryGetValue(out string? s) ? s : throw Bad("download-uri must be strings")).ToList() ?? [];
            var hashes = (bi["image-verification"] as JsonArray)?.Select(h =>
            {
                var entry = Object(h, "image-verification");
                string algorithm = Text(entry, "hash-algorithm") ?? throw Bad("image-verification needs a hash-algorithm");
                algorithm = algorithm.StartsWith(Module + ":", StringComparison.Ordinal) ? algorithm[(Module.Length + 1)..] : algorithm;
                if (algorithm != "sha-256") throw Bad($"hash-algorithm '{algorithm}' is not supported (sha-256 is)");
                string hex = Text(entry, "hash-value") ?? throw Bad("image-verification needs a hash-value");
                byte[] value;
                try { value = Convert.FromHexString(hex.Replace(":", "", StringComparison.Ordinal)); }
                catch (FormatException e) { throw new SztpVerificationException(Artifact, "hash-value is not a hex-string", e); }
                if (value.Length != 32) throw Bad($"a sha-256 hash-value has 32 bytes, not {value.Length}");
                return new ImageHash(algorithm, value);
            }).ToList() ?? [];
            image = new BootImage(Text(bi, "os-name"), Text(bi, "os-version"), uris, hashes);
        }
        string? handling = Text(o, "configuration-handling");
        if (handling is not (null or "merge" or "replace")) throw Bad($"configuration-handling '{handling}' is neither merge nor replace");
        var configuration = Binary(o, "configuration");
        if (configuration is not null && handling is null) throw Bad("configuration needs configuration-handling");
        return new Onboarding(image, handling, Binary(o, "pre-configuration-script"), configuration, Binary(o, "post-configuration-script"));
    }

    static SztpVerificationException Bad(string message) => new(Artifact, message);

    static JsonObject Object(JsonNode? n, string name) => n as JsonObject ?? throw Bad($"{name} is not an object");

    static void Only(JsonObject o, string name, params string[] allowed)
    {
        foreach (var key in o.Select(kv => kv.Key))
            if (!allowed.Contains(key)) throw Bad($"{name} has an unknown node '{key}'");
    }

    static string? Text(JsonObject o, string name) =>
        o[name] is null ? null : o[name] is JsonValue v && v.TryGetValue(out string? s) ? s : throw Bad($"{name} is not a string");

    static byte[]? Binary(JsonObject o, string name)
    {
        string? text = Text(o, name);
        if (text is null) return null;
        try { return Convert.FromBase64String(text); }
        catch (FormatException e) { throw new SztpVerificationException(Artifact, $"{name} is not base64", e); }
    }
}
