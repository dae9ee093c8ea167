using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace Cpe.Signing;

/// <summary>
/// A detached CMS SignedData, DER, over bytes that travel beside it (a VNF package's manifest digest, a firmware
/// bundle's manifest): what `openssl cms -sign -binary` makes is accepted, and `openssl cms -verify -binary -content`
/// verifies ours. Verification names the trusted anchors; a signature by whatever certificate the CMS carries proves
/// nothing (lab notes, "A pitfall with CMS verification").
/// </summary>
public static class DetachedSignature
{
    public static byte[] Sign(byte[] content, X509Certificate2 signer, IEnumerable<X509Certificate2>? chain = null)
    {
        var cms = new SignedCms(new ContentInfo(content), detached: true);
        cms.ComputeSignature(CmsSigning.Sha256Signer(signer, chain), silent: true);
        return cms.Encode();
    }

    /// <summary>
    /// The certificate that signed <paramref name="content"/>: the structure is strict, every signer's signature
    /// verifies, one signer chains to one of <paramref name="anchors"/>, and the signature carries no certificate off
    /// that signer's path (the certificate set is not signed: bytes nothing checks could change unnoticed).
    /// </summary>
    public static X509Certificate2 Verify(byte[] signature, byte[] content, IReadOnlyList<X509Certificate2> anchors, string subject)
    {
        if (anchors.Count == 0) throw new SignatureException(subject, "no trust anchors to check its signature against");
        CmsStructure.Check(signature, subject, CmsShape.Detached);
        var cms = new SignedCms(new ContentInfo(content), detached: true);
        try
        {
            cms.Decode(signature);
            X509Certificate2? trusted = null;
            foreach (var signer in cms.SignerInfos)
            {
                var certificate = signer.Certificate ?? throw new SignatureException(subject, "a signer's certificate is not in the signature");
                signer.CheckSignature(new X509Certificate2Collection(certificate), verifySignatureOnly: true);
                if (trusted is null && anchors.Any(a => CmsSigning.Chains(certificate, a, cms.Certificates))) trusted = certificate;
            }
            if (trusted is null)
                throw new SignatureException(subject, $"signed by {cms.SignerInfos[0].Certificate!.Subject}, which is not under a trusted anchor");
            var path = anchors.SelectMany(a => CmsSigning.PathTo(trusted, a, cms.Certificates)).Select(c => c.RawData).ToList();
            foreach (var carried in cms.Certificates)
                if (!path.Any(p => p.AsSpan().SequenceEqual(carried.RawData)))
                    throw new SignatureException(subject, $"its signature carries {carried.Subject}, which is not on the signer's path to a trust anchor");
            return trusted;
        }
        catch (CryptographicException e) { throw new SignatureException(subject, $"its signature does not verify ({e.Message})", e); }
    }
}
