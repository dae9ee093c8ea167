using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cpe.Sztp;

/// <summary>
/// A request that breaks the ietf-sztp-bootstrap-server module: what the server answers with a RESTCONF
/// error (RFC 8040 §7.1), and what the device refuses in a reply.
/// </summary>
/// <remarks>
/// <paramref name="path"/> is an instance-identifier of the node at fault (an RPC's input leaves are the RPC's children:
/// "/ietf-sztp-bootstrap-server:report-progress/progress-type"), or null when the fault is the message itself.
/// </remarks>
public sealed class RestconfException(string errorTag, string? path, string message) : Exception(path is null ? message : $"{path}: {message}")
{
    public string ErrorTag { get; } = errorTag;
    public string? ErrorPath { get; } = path;

    /// <summary>RFC 8040 §7's error-type: "protocol" for how the message was sent, "application" for what it holds.</summary>
    public string ErrorType => ErrorTag is "malformed-message" or "access-denied" or "operation-not-supported" ? "protocol" : "application";

    /// <summary>The ietf-restconf:errors body for this error.</summary>
    public byte[] ToJson() => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["ietf-restconf:errors"] = new JsonObject
        {
            ["error"] = new JsonArray(ErrorPath is null
                ? new JsonObject { ["error-type"] = ErrorType, ["error-tag"] = ErrorTag, ["error-message"] = Message }
                : new JsonObject { ["error-type"] = ErrorType, ["error-tag"] = ErrorTag, ["error-path"] = ErrorPath, ["error-message"] = Message }),
        },
    }.ToJsonString());
}

/// <summary>
/// The bodies of RFC 8572's RESTCONF operations (§7), as JSON per RFC 7951 with the module's
/// "input"/"output" containers: binary leaves base64, the empty leaf as [null].
/// </summary>
public static class Restconf
{
    public const string Module = "ietf-sztp-bootstrap-server";
    public const string GetBootstrappingData = $"/restconf/operations/{Module}:get-bootstrapping-data";
    public const string ReportProgress = $"/restconf/operations/{Module}:report-progress";
    public const string MediaType = "application/yang-data+json";

    public static readonly string[] ProgressTypes =
    [
        "bootstrap-initiated", "parsing-initiated", "parsing-warning", "parsing-error", "parsing-complete",
        "boot-image-initiated", "boot-image-warning", "boot-image-error", "boot-image-mismatch", "boot-image-installed-rebooting",
        "boot-image-complete", "pre-script-initiated", "pre-script-warning", "pre-script-error", "pre-script-complete",
        "config-initiated", "config-warning", "config-error", "config-complete", "post-script-initiated", "post-script-warning",
        "post-script-error", "post-script-complete", "bootstrap-warning", "bootstrap-error", "bootstrap-complete", "informational",
    ];

    /// <summary>
    /// The operation's input or output object. The body must be UTF-8 (RFC 8259 §8.1), with no member twice; an empty
    /// body is an empty input where every input is optional (get-bootstrapping-data, RFC 8040 §3.6.1).
    /// </summary>
    internal static JsonObject Body(ReadOnlySpan<byte> json, string container, bool allowEmpty = false)
    {
        if (allowEmpty && json.Trim(" \t\r\n"u8).IsEmpty) return [];
        if (!System.Text.Unicode.Utf8.IsValid(json)) throw new RestconfException("malformed-message", null, "the body is not UTF-8");
        JsonNode? root;
        try { root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 16 }); }
        catch (JsonException e) { throw new RestconfException("malformed-message", null, $"not JSON: {e.Message}"); }
        if (root is not JsonObject o || o.Count != 1 || o[$"{Module}:{container}"] is not JsonObject body)
            throw new RestconfException("malformed-message", null, $"the body must be one {Module}:{container} object");
        return body;
    }

    internal static void Only(JsonObject o, string path, params string[] allowed)
    {
        foreach (var (key, _) in o)
            // The path names the parent: an unknown element has no instance-identifier of its own.
            if (!allowed.Contains(key)) throw new RestconfException("unknown-element", path, $"unknown element '{key}'");
    }

    internal static string? Text(JsonObject o, string name, string path) =>
        o[name] is null ? null : o[name] is JsonValue v && v.TryGetValue(out string? s) ? s : throw new RestconfException("invalid-value", $"{path}/{name}", "must be a string");

    internal static byte[]? Binary(JsonObject o, string name, string path)
    {
        string? text = Text(o, name, path);
        if (text is null) return null;
        try { return Convert.FromBase64String(text); }
        catch (FormatException) { throw new RestconfException("invalid-value", $"{path}/{name}", "must be base64"); }
    }

    internal static bool Empty(JsonObject o, string name, string path) => o[name] switch
    {
        null when !o.ContainsKey(name) => false,
        JsonArray { Count: 1 } a when a[0] is null => true,
        _ => throw new RestconfException("invalid-value", $"{path}/{name}", "an empty leaf is [null]"),
    };

    internal static byte[] Wrap(string container, JsonObject body) =>
        Encoding.UTF8.GetBytes(new JsonObject { [$"{Module}:{container}"] = body }.ToJsonString());
}

/// <summary>get-bootstrapping-data's input.</summary>
public sealed record BootstrappingRequest(bool SignedDataPreferred = false, string? HwModel = null, string? OsName = null, string? OsVersion = null, byte[]? Nonce = null)
{
    const string Path = "/ietf-sztp-bootstrap-server:get-bootstrapping-data";

    public JsonObject ToNode()
    {
        var o = new JsonObject();
        if (SignedDataPreferred) o["signed-data-preferred"] = new JsonArray((JsonNode?)null);
        if (HwModel is not null) o["hw-model"] = HwModel;
        if (OsName is not null) o["os-name"] = OsName;
        if (OsVersion is not null) o["os-version"] = OsVersion;
        if (Nonce is not null) o["nonce"] = Convert.ToBase64String(Nonce);
        return o;
    }

    /// <summary>The request body: {"ietf-sztp-bootstrap-server:input": {...}}.</summary>
    public byte[] ToJson() => Restconf.Wrap("input", ToNode());

    public static BootstrappingRequest Parse(ReadOnlySpan<byte> json)
    {
        var o = Restconf.Body(json, "input", allowEmpty: true);
        Restconf.Only(o, Path, "signed-data-preferred", "hw-model", "os-name", "os-version", "nonce");
        var nonce = Restconf.Binary(o, "nonce", Path);
        if (nonce is { Length: < 16 or > 32 }) throw new RestconfException("invalid-value", $"{Path}/nonce", $"must be 16 to 32 bytes, not {nonce.Length}");
        return new BootstrappingRequest(Restconf.Empty(o, "signed-data-preferred", Path), Restconf.Text(o, "hw-model", Path),
            Restconf.Text(o, "os-name", Path), Restconf.Text(o, "os-version", Path), nonce);
    }
}

/// <summary>get-bootstrapping-data's output: conveyed information, and for signed data the owner certificate and voucher.</summary>
public sealed record BootstrappingReply(byte[] ConveyedInformation, byte[]? OwnerCertificate = null, byte[]? OwnershipVoucher = null, string? ReportingLevel = null)
{
    const string Path = "/ietf-sztp-bootstrap-server:get-bootstrapping-data";

    public JsonObject ToNode()
    {
        var o = new JsonObject();
        if (ReportingLevel is not null) o["reporting-level"] = ReportingLevel;
        o["conveyed-information"] = Convert.ToBase64String(ConveyedInformation);
        if (OwnerCertificate is not null) o["owner-certificate"] = Convert.ToBase64String(OwnerCertificate);
        if (OwnershipVoucher is not null) o["ownership-voucher"] = Convert.ToBase64String(OwnershipVoucher);
        return o;
    }

    public byte[] ToJson() => Restconf.Wrap("output", ToNode());

    public static BootstrappingReply Parse(ReadOnlySpan<byte> json)
    {
        var o = Restconf.Body(json, "output");
        Restconf.Only(o, Path, "reporting-level", "conveyed-information", "owner-certificate", "ownership-voucher");
        string? level = Restconf.Text(o, "reporting-level", Path);
        if (level is not (null or "minimal" or "verbose")) throw new RestconfException("invalid-value", $"{Path}/reporting-level", $"'{level}' is neither minimal nor verbose");
        var conveyed = Restconf.Binary(o, "conveyed-information", Path) ?? throw new RestconfException("missing-element", $"{Path}/conveyed-information", "is mandatory");
        var owner = Restconf.Binary(o, "owner-certificate", Path);
        var voucher = Restconf.Binary(o, "ownership-voucher", Path);
        if ((owner is null) != (voucher is null))
            throw new RestconfException("invalid-value", Path, "owner-certificate and ownership-voucher come together or not at all");
        return new BootstrappingReply(conveyed, owner, voucher, level);
    }
}

/// <summary>report-progress's input.</summary>
public sealed record ProgressReport(string ProgressType, string? Message = null, IReadOnlyList<(string Algorithm, byte[] KeyData)>? SshHostKeys = null,
    IReadOnlyList<byte[]>? TrustAnchorCerts = null)
{
    const string Path = "/ietf-sztp-bootstrap-server:report-progress";

    public JsonObject ToNode()
    {
        var o = new JsonObject { ["progress-type"] = ProgressType };
        if (Message is not null) o["message"] = Message;
        if (SshHostKeys is { Count: > 0 })
            o["ssh-host-keys"] = new JsonObject
            {
                ["ssh-host-key"] = new JsonArray(SshHostKeys.Select(k => (JsonNode)new JsonObject { ["algorithm"] = k.Algorithm, ["key-data"] = Convert.ToBase64String(k.KeyData) }).ToArray()),
            };
        if (TrustAnchorCerts is { Count: > 0 })
            o["trust-anchor-certs"] = new JsonObject { ["trust-anchor-cert"] = new JsonArray(TrustAnchorCerts.Select(c => (JsonNode)JsonValue.Create(Convert.ToBase64String(c))!).ToArray()) };
        return o;
    }

    public byte[] ToJson() => Restconf.Wrap("input", ToNode());

    public static ProgressReport Parse(ReadOnlySpan<byte> json)
    {
        var o = Restconf.Body(json, "input", allowEmpty: true);
        Restconf.Only(o, Path, "progress-type", "message", "ssh-host-keys", "trust-anchor-certs");
        string type = Restconf.Text(o, "progress-type", Path) ?? throw new RestconfException("missing-element", $"{Path}/progress-type", "is mandatory");
        if (!Restconf.ProgressTypes.Contains(type)) throw new RestconfException("invalid-value", $"{Path}/progress-type", $"'{type}' is not a progress type of RFC 8572");
        bool complete = type == "bootstrap-complete";
        var keys = new List<(string, byte[])>();
        if (o["ssh-host-keys"] is JsonObject hk)
        {
            if (!complete) throw new RestconfException("invalid-value", $"{Path}/ssh-host-keys", "only with bootstrap-complete");
            foreach (var k in hk["ssh-host-key"] as JsonArray ?? [])
            {
                var entry = k as JsonObject ?? throw new RestconfException("invalid-value", $"{Path}/ssh-host-keys", "entries must be objects");
                keys.Add((Restconf.Text(entry, "algorithm", $"{Path}/ssh-host-keys") ?? throw new RestconfException("missing-element", $"{Path}/ssh-host-keys", "is mandatory"),
                    Restconf.Binary(entry, "key-data", $"{Path}/ssh-host-keys") ?? throw new RestconfException("missing-element", $"{Path}/ssh-host-keys", "is mandatory")));
            }
        }
        var anchors = new List<byte[]>();
        if (o["trust-anchor-certs"] is JsonObject ta)
        {
            if (!complete) throw new RestconfException("invalid-value", $"{Path}/trust-anchor-certs", "only with bootstrap-complete");
            foreach (var c in ta["trust-anchor-cert"] as JsonArray ?? [])
            {
                try { anchors.Add(Convert.FromBase64String(c?.GetValue<string>() ?? "")); }
                catch (Exception e) when (e is FormatException or InvalidOperationException)
                {
                    throw new RestconfException("invalid-value", $"{Path}/trust-anchor-certs", "must be base64");
                }
            }
        }
        return new ProgressReport(type, Restconf.Text(o, "message", Path), keys, anchors);
    }
}
