using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cpe.Sztp;

namespace Cpe.Vnf.Packages;

/// <summary>
/// A package's signature (docs/reference/vnf-package.md): a detached CMS SignedData, DER, over the ASCII text of the
/// manifest's digest ("sha256:…"), stored in the archive as <see cref="FileName"/>. The manifest names the config
/// and every layer by digest, so the signature covers the whole image. What `openssl cms -sign -binary` makes over
/// that text is accepted, and `openssl cms -verify -binary -content` verifies ours.
/// </summary>
public static class PackageSignature
{
    public const string FileName = "cpe-vnf-signature.p7s";

    public static byte[] Sign(string manifestDigest, X509Certificate2 signer, IEnumerable<X509Certificate2>? chain = null)
    {
        var cms = new SignedCms(new ContentInfo(Encoding.ASCII.GetBytes(manifestDigest)), detached: true);
        cms.ComputeSignature(Cms.Sha256Signer(signer, chain), silent: true);
        return cms.Encode();
    }

    /// <summary>
    /// The certificate that signed <paramref name="manifestDigest"/>: every signer's signature must verify, and at
    /// least one signer must chain to one of <paramref name="anchors"/> (the vendor's and the owner's).
    /// </summary>
    public static X509Certificate2 Verify(byte[] signature, string manifestDigest, IReadOnlyList<X509Certificate2> anchors, string package)
    {
        if (anchors.Count == 0) throw new VnfPackageException($"{package}: no trust anchors to check its signature against");
        var cms = new SignedCms(new ContentInfo(Encoding.ASCII.GetBytes(manifestDigest)), detached: true);
        try
        {
            RequireStrictStructure(signature, package);
            cms.Decode(signature);
            if (cms.SignerInfos.Count == 0) throw new VnfPackageException($"{package}: its signature has no signers");
            X509Certificate2? trusted = null;
            foreach (var signer in cms.SignerInfos)
            {
                var certificate = signer.Certificate ?? throw new VnfPackageException($"{package}: a signer's certificate is not in the signature");
                signer.CheckSignature(new X509Certificate2Collection(certificate), verifySignatureOnly: true);
                if (trusted is null && anchors.Any(a => Cms.Chains(certificate, a, cms.Certificates))) trusted = certificate;
            }
            if (trusted is null)
                throw new VnfPackageException($"{package}: signed by {cms.SignerInfos[0].Certificate!.Subject}, which is not under the vendor's or the owner's trust anchor");
            RequireOnlyChainCertificates(cms, trusted, anchors, package);
            return trusted;
        }
        catch (CryptographicException e)
        {
            throw new VnfPackageException($"{package}: its signature does not verify over manifest {manifestDigest} ({e.Message})", e);
        }
    }

    /// <summary>
    /// The fields of SignedData that no signature covers and .NET does not compare must still say what the signed
    /// parts say: version 1 or 3, the digest algorithms list exactly the signers' (with absent or NULL parameters),
    /// and the content type is id-data with no content (detached).
    /// </summary>
    static void RequireStrictStructure(byte[] der, string package)
    {
        const string IdData = "1.2.840.113549.1.7.1", IdSignedData = "1.2.840.113549.1.7.2";
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var contentInfo = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            if (contentInfo.ReadObjectIdentifier() != IdSignedData) throw Bad("it is not a SignedData");
            var explicitContent = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
            contentInfo.ThrowIfNotEmpty();
            var signedData = explicitContent.ReadSequence();
            explicitContent.ThrowIfNotEmpty();
            if (!signedData.TryReadInt32(out int version) || version is not (1 or 3)) throw Bad("its SignedData version is not 1 or 3");
            var digests = new List<string>();
            var set = signedData.ReadSetOf();
            while (set.HasData)
            {
                var algorithm = set.ReadSequence();
                digests.Add(algorithm.ReadObjectIdentifier());
                if (algorithm.HasData) algorithm.ReadNull();
                algorithm.ThrowIfNotEmpty();
            }
            var encap = signedData.ReadSequence();
            if (encap.ReadObjectIdentifier() != IdData || encap.HasData) throw Bad("it is not a detached signature over data");
            var signers = new SignedCms();
            signers.Decode(der);
            var used = signers.SignerInfos.Cast<SignerInfo>().Select(s => s.DigestAlgorithm.Value!).Distinct().Order().ToList();
            if (!digests.Order().SequenceEqual(used)) throw Bad("its digest algorithms are not the ones its signers used");
            foreach (SignerInfo signer in signers.SignerInfos)
                if (signer.Version != (signer.SignerIdentifier.Type == SubjectIdentifierType.SubjectKeyIdentifier ? 3 : 1))
                    throw Bad($"a signer has version {signer.Version}, which does not match how it names its certificate");
        }
        catch (AsnContentException e) { throw new VnfPackageException($"{package}: its signature is not DER SignedData ({e.Message})", e); }

        VnfPackageException Bad(string what) => new($"{package}: {what}");
    }

    /// <summary>
    /// Every certificate the signature carries must be on the signer's path to its anchor: the certificate set is not
    /// signed, so a carried certificate that nothing checks would be bytes that could change unnoticed.
    /// </summary>
    static void RequireOnlyChainCertificates(SignedCms cms, X509Certificate2 signer, IReadOnlyList<X509Certificate2> anchors, string package)
    {
        var path = new List<byte[]> { signer.RawData };
        foreach (var anchor in anchors.Where(a => Cms.Chains(signer, a, cms.Certificates)))
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(anchor);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.ExtraStore.AddRange(cms.Certificates);
            if (chain.Build(signer)) path.AddRange(chain.ChainElements.Select(e => e.Certificate.RawData));
            path.Add(anchor.RawData);
        }
        foreach (var carried in cms.Certificates)
            if (!path.Any(p => p.AsSpan().SequenceEqual(carried.RawData)))
                throw new VnfPackageException($"{package}: its signature carries {carried.Subject}, which is not on the signer's path to a trust anchor");
    }
}
