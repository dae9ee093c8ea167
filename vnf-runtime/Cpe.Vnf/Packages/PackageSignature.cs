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
