using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cpe.Signing;

namespace Cpe.Vnf.Packages;

/// <summary>
/// A package's signature (docs/reference/vnf-package.md): a detached CMS SignedData, DER, over the ASCII text of the
/// manifest's digest ("sha256:…"), stored in the archive as <see cref="FileName"/>. The manifest names the config
/// and every layer by digest, so the signature covers the whole image. What `openssl cms -sign -binary` makes over
/// that text is accepted, and `openssl cms -verify -binary -content` verifies ours (Cpe.Signing's detached signature).
/// </summary>
public static class PackageSignature
{
    public const string FileName = "cpe-vnf-signature.p7s";

    public static byte[] Sign(string manifestDigest, X509Certificate2 signer, IEnumerable<X509Certificate2>? chain = null) =>
        DetachedSignature.Sign(Encoding.ASCII.GetBytes(manifestDigest), signer, chain);

    /// <summary>
    /// The certificate that signed <paramref name="manifestDigest"/>: every signer's signature must verify, and at
    /// least one signer must chain to one of <paramref name="anchors"/> (the vendor's and the owner's).
    /// </summary>
    public static X509Certificate2 Verify(byte[] signature, string manifestDigest, IReadOnlyList<X509Certificate2> anchors, string package)
    {
        try { return DetachedSignature.Verify(signature, Encoding.ASCII.GetBytes(manifestDigest), anchors, package); }
        catch (SignatureException e)
        {
            string reason = e.Reason.Replace("a trusted anchor", "the vendor's or the owner's trust anchor", StringComparison.Ordinal);
            throw new VnfPackageException($"{package}: {reason}", e);
        }
    }
}
