using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using Cpe.Signing;

namespace Cpe.Sztp;

/// <summary>
/// CMS as RFC 8572 uses it: SignedData with the artifact's content type inside, the owner certificate as
/// a degenerate SignedData (certificates, no signers), and unsigned conveyed information as a bare
/// ContentInfo. Verification always names who must have signed: a valid signature by whatever
/// certificate the CMS carries proves nothing (lab notes, "A pitfall with CMS verification").
/// </summary>
public static class Cms
{
    /// <summary>SignedData over <paramref name="content"/>, SHA-256, the signer's certificate and <paramref name="chain"/> embedded.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> content, string contentType, X509Certificate2 signer, IEnumerable<X509Certificate2>? chain = null)
    {
        var cms = new SignedCms(new ContentInfo(new Oid(contentType), content.ToArray()), detached: false);
        cms.ComputeSignature(CmsSigning.Sha256Signer(signer, chain), silent: true);
        return cms.Encode();
    }

    /// <summary>
    /// The owner certificate artifact (RFC 8572 §3.2): a degenerate SignedData holding the owner's
    /// end-entity certificate first, then its chain; no content, no signers.
    /// </summary>
    public static byte[] CertificatesOnly(X509Certificate2 endEntity, IEnumerable<X509Certificate2>? chain = null)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier(SztpOids.SignedData);
            using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            using (w.PushSequence())
            {
                w.WriteInteger(1);
                using (w.PushSetOf()) { }                               // digestAlgorithms: none
                using (w.PushSequence()) w.WriteObjectIdentifier(SztpOids.Data);   // encapContentInfo without content
                using (w.PushSetOf(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                    foreach (var c in new[] { endEntity }.Concat(chain ?? [])) w.WriteEncodedValue(c.RawData);
                using (w.PushSetOf()) { }                               // signerInfos: none
            }
        }
        return w.Encode();
    }

    /// <summary>
    /// Unsigned conveyed information (RFC 8572 §3.1): a ContentInfo of the conveyed-information content type
    /// around the octets. Acceptable only as redirect information, or from a trusted bootstrap server.
    /// </summary>
    public static byte[] Unsigned(ReadOnlySpan<byte> content, string contentType = SztpOids.ConveyedInfoJson)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteObjectIdentifier(contentType);
            using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true))) w.WriteOctetString(content);
        }
        return w.Encode();
    }

    /// <summary>The content type and octets of a ContentInfo: SignedData is reported as such, for the caller to verify.</summary>
    public static (string ContentType, byte[] Content) ReadContentInfo(byte[] der, string artifact)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var info = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            string type = info.ReadObjectIdentifier();
            if (type == SztpOids.SignedData) return (type, der);
            var wrapper = info.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
            byte[] content = wrapper.ReadOctetString();
            wrapper.ThrowIfNotEmpty();
            info.ThrowIfNotEmpty();
            return (type, content);
        }
        catch (AsnContentException e) { throw new SztpVerificationException(artifact, "is not a CMS ContentInfo", e); }
    }

    /// <summary>The certificates a SignedData carries, in its order (the owner certificate artifact's first is the end entity).</summary>
    public static IReadOnlyList<X509Certificate2> Certificates(byte[] der, string artifact) => Guarded(artifact, () =>
    {
        Structure(der, artifact, CmsShape.CertificatesOnly);
        return Decode(der, artifact).Certificates.Cast<X509Certificate2>().ToList();
    });

    /// <summary>
    /// The content of a SignedData that <paramref name="signer"/> (and only it) signed, with the content
    /// type <paramref name="contentType"/>. Anything else is a <see cref="SztpVerificationException"/>.
    /// </summary>
    public static byte[] VerifySignedBy(byte[] der, string contentType, X509Certificate2 signer, string artifact) => Guarded(artifact, () =>
    {
        Structure(der, artifact, CmsShape.Attached);
        var cms = Decode(der, artifact);
        RequireOneSignerMatching(cms, contentType, artifact, s => s.RawData.AsSpan().SequenceEqual(signer.RawData), "is not signed by the expected certificate");
        return cms.ContentInfo.Content;
    });

    /// <summary>
    /// The content and the signer's certificate of a SignedData whose signer chains to <paramref name="trustAnchor"/>
    /// (through certificates the CMS carries), with the signature checked against that certificate.
    /// </summary>
    /// <param name="known">Signer certificates already found to chain (a batch of vouchers by one signer is checked once).</param>
    public static (byte[] Content, X509Certificate2 Signer) VerifySignedUnder(byte[] der, string contentType, X509Certificate2 trustAnchor, string artifact,
        ChainCache? known = null) =>
        Guarded(artifact, () => SignedUnder(der, contentType, trustAnchor, artifact, known));

    static (byte[] Content, X509Certificate2 Signer) SignedUnder(byte[] der, string contentType, X509Certificate2 trustAnchor, string artifact, ChainCache? known)
    {
        Structure(der, artifact, CmsShape.Attached);
        var cms = Decode(der, artifact);
        X509Certificate2? chained = null;
        RequireOneSignerMatching(cms, contentType, artifact, s =>
        {
            if (!(known?.Chains(s, trustAnchor, cms.Certificates) ?? CmsSigning.Chains(s, trustAnchor, cms.Certificates))) return false;
            chained = s;
            return true;
        }, "is not signed by a certificate of the trusted issuer");
        return (cms.ContentInfo.Content, chained!);
    }

    /// <summary>A malformed part found late (certificates are parsed when first used) is a refusal of the artifact, not a crash.</summary>
    static T Guarded<T>(string artifact, Func<T> verify)
    {
        try { return verify(); }
        catch (CryptographicException e) { throw new SztpVerificationException(artifact, $"is malformed ({e.Message})", e); }
    }

    static void Structure(byte[] der, string artifact, CmsShape shape)
    {
        try { CmsStructure.Check(der, artifact, shape); }
        catch (SignatureException e) { throw new SztpVerificationException(artifact, e.Reason, e.InnerException); }
    }

    static SignedCms Decode(byte[] der, string artifact)
    {
        var cms = new SignedCms();
        try { cms.Decode(der); }
        catch (CryptographicException e) { throw new SztpVerificationException(artifact, "is not a CMS SignedData structure", e); }
        return cms;
    }

    static void RequireOneSignerMatching(SignedCms cms, string contentType, string artifact, Func<X509Certificate2, bool> expected, string refusal)
    {
        if (cms.ContentInfo.ContentType.Value != contentType)
            throw new SztpVerificationException(artifact, $"has content type {cms.ContentInfo.ContentType.Value}, expected {contentType}");
        if (cms.SignerInfos.Count != 1)
            throw new SztpVerificationException(artifact, $"has {cms.SignerInfos.Count} signers, expected exactly one");
        var info = cms.SignerInfos[0];
        var certificate = info.Certificate ?? throw new SztpVerificationException(artifact, "does not carry its signer's certificate");
        if (!expected(certificate)) throw new SztpVerificationException(artifact, refusal);
        try { info.CheckSignature(new X509Certificate2Collection(certificate), verifySignatureOnly: true); }
        catch (CryptographicException e) { throw new SztpVerificationException(artifact, "has a signature that does not verify", e); }
    }
}

/// <summary>
/// Which signer certificates chain to which anchor, for one batch of verifications at one time: building a chain costs
/// more than checking a signature, and a manufacturing batch of vouchers has one signer. Only "chains" is remembered,
/// keyed by the signer's, the anchor's and the extra certificates' bytes; keep one for a batch, not for days.
/// </summary>
public sealed class ChainCache
{
    readonly Dictionary<string, bool> _results = new(StringComparer.Ordinal);

    public bool Chains(X509Certificate2 leaf, X509Certificate2 anchor, X509Certificate2Collection extra)
    {
        var key = new System.Text.StringBuilder(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(leaf.RawData)))
            .Append(anchor.Thumbprint);
        foreach (var c in extra) key.Append(c.Thumbprint);
        string k = key.ToString();
        if (!_results.TryGetValue(k, out bool chains)) _results[k] = chains = CmsSigning.Chains(leaf, anchor, extra);
        return chains;
    }
}
