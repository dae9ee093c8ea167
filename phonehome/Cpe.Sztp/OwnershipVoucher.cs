using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cpe.Sztp;

/// <summary>
/// An RFC 8366 ownership voucher: the vendor's statement that the holder of <see cref="PinnedDomainCert"/>
/// owns the device with <see cref="SerialNumber"/>. JSON inside CMS with id-ct-animaJSONVoucher.
/// </summary>
public sealed record OwnershipVoucher(DateTimeOffset CreatedOn, DateTimeOffset? ExpiresOn, string Assertion, string SerialNumber,
    byte[] PinnedDomainCert, byte[]? Nonce = null, string? IdevidIssuer = null, bool? DomainCertRevocationChecks = null)
{
    const string Root = "ietf-voucher:voucher";
    public static readonly string[] Assertions = ["verified", "logged", "proximity"];

    public string ToJson()
    {
        var v = new JsonObject
        {
            ["created-on"] = Timestamp(CreatedOn),
            ["assertion"] = Assertion,
            ["serial-number"] = SerialNumber,
            ["pinned-domain-cert"] = Convert.ToBase64String(PinnedDomainCert),
        };
        if (ExpiresOn is DateTimeOffset e) v["expires-on"] = Timestamp(e);
        if (IdevidIssuer is not null) v["idevid-issuer"] = IdevidIssuer;
        if (DomainCertRevocationChecks is bool r) v["domain-cert-revocation-checks"] = r;
        if (Nonce is not null) v["nonce"] = Convert.ToBase64String(Nonce);
        return new JsonObject { [Root] = v }.ToJsonString();
    }

    static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The vendor signs the voucher with its voucher-signing certificate (the MASA), chain included.</summary>
    public byte[] Sign(X509Certificate2 signer, IEnumerable<X509Certificate2>? chain = null) =>
        Cms.Sign(Encoding.UTF8.GetBytes(ToJson()), SztpOids.VoucherJson, signer, chain);

    public static OwnershipVoucher Parse(ReadOnlySpan<byte> json)
    {
        const string Artifact = "ownership voucher";
        JsonObject v;
        try { v = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) is JsonObject o && o[Root] is JsonObject inner ? inner : throw new SztpVerificationException(Artifact, $"is not a {Root} object"); }
        catch (JsonException e) { throw new SztpVerificationException(Artifact, "is not JSON", e); }
        string Text(string name, bool required = true) =>
            v[name] is JsonValue t && t.TryGetValue(out string? s) ? s : required ? throw new SztpVerificationException(Artifact, $"has no {name}") : null!;
        DateTimeOffset Time(string name) =>
            DateTimeOffset.TryParse(Text(name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
                ? t : throw new SztpVerificationException(Artifact, $"{name} is not a date-and-time");
        byte[] Base64(string name)
        {
            try { return Convert.FromBase64String(Text(name)); }
            catch (FormatException e) { throw new SztpVerificationException(Artifact, $"{name} is not base64", e); }
        }
        string assertion = Text("assertion");
        if (!Assertions.Contains(assertion)) throw new SztpVerificationException(Artifact, $"assertion '{assertion}' is not one of {string.Join(", ", Assertions)}");
        return new OwnershipVoucher(Time("created-on"), v.ContainsKey("expires-on") ? Time("expires-on") : null, assertion, Text("serial-number"),
            Base64("pinned-domain-cert"), v.ContainsKey("nonce") ? Base64("nonce") : null, Text("idevid-issuer", required: false),
            v["domain-cert-revocation-checks"] is JsonValue b && b.TryGetValue(out bool checks) ? checks : null);
    }

    /// <summary>
    /// RFC 8366 and RFC 8572 §5.5 on the device: signed by a certificate of the vendor's trust anchor, for this
    /// serial number, created and not expired at <paramref name="now"/>, and with our nonce when we sent one
    /// (a voucher without a nonce must have an expiry).
    /// </summary>
    public static OwnershipVoucher Verify(byte[] cms, X509Certificate2 vendorAnchor, string serialNumber, DateTimeOffset now, byte[]? nonce = null,
        ChainCache? known = null)
    {
        const string Artifact = "ownership voucher";
        var (content, _) = Cms.VerifySignedUnder(cms, SztpOids.VoucherJson, vendorAnchor, Artifact, known);
        var voucher = Parse(content);
        if (voucher.SerialNumber != serialNumber)
            throw new SztpVerificationException(Artifact, $"is for serial number {voucher.SerialNumber}, not this device ({serialNumber})");
        if (voucher.CreatedOn > now + TimeSpan.FromMinutes(5))
            throw new SztpVerificationException(Artifact, $"is created on {Timestamp(voucher.CreatedOn)}, in the future");
        if (voucher.ExpiresOn is DateTimeOffset expires && expires <= now)
            throw new SztpVerificationException(Artifact, $"expired on {Timestamp(expires)}");
        if (nonce is not null && voucher.Nonce is not null && !nonce.AsSpan().SequenceEqual(voucher.Nonce))
            throw new SztpVerificationException(Artifact, "carries a nonce other than the one this device sent");
        if (voucher.Nonce is not null && nonce is null)
            throw new SztpVerificationException(Artifact, "carries a nonce but this device sent none");
        if (voucher.Nonce is null && voucher.ExpiresOn is null)
            throw new SztpVerificationException(Artifact, "has neither a nonce nor an expiry");
        return voucher;
    }
}
