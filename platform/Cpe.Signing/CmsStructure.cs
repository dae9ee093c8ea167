using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Cpe.Signing;

/// <summary>What a SignedData must hold, beyond its signature.</summary>
public enum CmsShape
{
    /// <summary>Content inside, one signer at least (zero-touch artifacts).</summary>
    Attached,
    /// <summary>No content (it travels beside the signature, id-data), one signer at least (packages, bundles).</summary>
    Detached,
    /// <summary>Certificates only: no content, no signers (RFC 8572's owner certificate).</summary>
    CertificatesOnly,
}

/// <summary>
/// A strict DER reading of a SignedData's outer structure (RFC 5652 §5), for what no signature covers:
/// the versions, the digestAlgorithms set, unsigned attributes, CRLs, trailing bytes. SignedCms is
/// lenient there, so without this a changed byte in those places would pass unnoticed.
/// </summary>
public static class CmsStructure
{
    static readonly Asn1Tag Explicit0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    static readonly Asn1Tag Implicit0 = new(TagClass.ContextSpecific, 0, isConstructed: true);
    static readonly Asn1Tag Implicit1 = new(TagClass.ContextSpecific, 1, isConstructed: true);

    public static void Check(byte[] der, string subject, CmsShape shape)
    {
        try { Read(der, shape); }
        catch (AsnContentException e) { throw new SignatureException(subject, $"is not strict DER CMS ({e.Message})", e); }
        catch (CmsShapeException e) { throw new SignatureException(subject, e.Message); }
    }

    const string IdData = "1.2.840.113549.1.7.1", IdSignedData = "1.2.840.113549.1.7.2";

    sealed class CmsShapeException(string message) : Exception(message);

    static int SmallInteger(AsnReader reader, string what) =>
        reader.TryReadInt32(out int value) ? value : throw new CmsShapeException($"has a {what} that is not a small integer");

    static void Read(byte[] der, CmsShape shape)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var contentInfo = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        if (contentInfo.ReadObjectIdentifier() != IdSignedData) throw new CmsShapeException("is not a SignedData");
        var wrapper = contentInfo.ReadSequence(Explicit0);
        contentInfo.ThrowIfNotEmpty();
        var signedData = wrapper.ReadSequence();
        wrapper.ThrowIfNotEmpty();

        int version = SmallInteger(signedData, "SignedData version");
        var digestSet = signedData.ReadSetOf(skipSortOrderValidation: true);
        var digests = new List<byte[]>();
        while (digestSet.HasData) digests.Add(digestSet.ReadEncodedValue().ToArray());

        var encap = signedData.ReadSequence();
        string eContentType = encap.ReadObjectIdentifier();
        bool hasContent = encap.HasData;
        if (hasContent)
        {
            var content = encap.ReadSequence(Explicit0);
            content.ReadOctetString();
            content.ThrowIfNotEmpty();
        }
        encap.ThrowIfNotEmpty();

        if (signedData.PeekTag().HasSameClassAndValue(Implicit0)) signedData.ReadSetOf(true, Implicit0);
        if (signedData.HasData && signedData.PeekTag().HasSameClassAndValue(Implicit1)) throw new CmsShapeException("carries CRLs, which are not used here");

        var signerSet = signedData.ReadSetOf(skipSortOrderValidation: true);
        signedData.ThrowIfNotEmpty();
        var signerDigests = new List<byte[]>();
        bool anyV3 = false;
        int signers = 0;
        while (signerSet.HasData)
        {
            signers++;
            var info = signerSet.ReadSequence();
            int infoVersion = SmallInteger(info, "SignerInfo version");
            bool bySubjectKey = info.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0));
            if (infoVersion != (bySubjectKey ? 3 : 1)) throw new CmsShapeException($"has a SignerInfo of version {infoVersion} that does not match its identifier");
            anyV3 |= bySubjectKey;
            info.ReadEncodedValue();                                   // sid
            signerDigests.Add(info.ReadEncodedValue().ToArray());      // digestAlgorithm
            if (info.PeekTag().HasSameClassAndValue(Implicit0)) info.ReadEncodedValue();   // signedAttrs: covered by the signature
            info.ReadEncodedValue();                                   // signatureAlgorithm
            info.ReadOctetString();                                    // signature
            if (info.HasData) throw new CmsShapeException("carries unsigned attributes, which nothing protects");
        }

        int expectedVersion = eContentType == IdData && !anyV3 ? 1 : 3;
        if (version != expectedVersion) throw new CmsShapeException($"has SignedData version {version}, expected {expectedVersion}");
        switch (shape)
        {
            case CmsShape.Attached when !hasContent || signers == 0: throw new CmsShapeException("has no signed content");
            case CmsShape.Detached when hasContent || signers == 0 || eContentType != IdData: throw new CmsShapeException("is not a detached signature over data");
            case CmsShape.CertificatesOnly when hasContent || signers != 0: throw new CmsShapeException("should carry certificates only");
        }
        static string Key(byte[] b) => Convert.ToHexString(b);
        if (!digests.Select(Key).Order().SequenceEqual(signerDigests.Select(Key).Distinct().Order()))
            throw new CmsShapeException("lists digest algorithms that its signers do not use");
    }
}
