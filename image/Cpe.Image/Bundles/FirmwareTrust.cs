using System.Security.Cryptography.X509Certificates;
using Cpe.Signing;

namespace Cpe.Image.Bundles;

/// <summary>
/// Who may sign firmware: a certificate that chains to one of the vendor's anchors and carries the code-signing
/// extended key usage (cpe-vendor firmware signer). A VNF package signer, also under the vendor CA, has no such
/// usage, so its key cannot make firmware.
/// </summary>
public sealed class FirmwareTrust(IReadOnlyList<X509Certificate2> anchors)
{
    public const string CodeSigning = "1.3.6.1.5.5.7.3.3";

    public IReadOnlyList<X509Certificate2> Anchors { get; } = anchors;

    public static FirmwareTrust FromPemFiles(IEnumerable<string> files)
    {
        var anchors = new List<X509Certificate2>();
        foreach (var f in files)
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPemFile(f);
            anchors.AddRange(collection);
        }
        return new FirmwareTrust(anchors);
    }

    /// <summary>The signer of <paramref name="manifest"/>, when <paramref name="signature"/> is acceptable; otherwise refused with the reason.</summary>
    public X509Certificate2 Verify(byte[] manifest, byte[] signature)
    {
        X509Certificate2 signer;
        try { signer = DetachedSignature.Verify(signature, manifest, Anchors, "the bundle's signature"); }
        catch (SignatureException e) { throw new BundleRefusedException($"its signature is refused: {e.Reason}", e); }
        bool codeSigning = signer.Extensions.OfType<X509EnhancedKeyUsageExtension>()
            .Any(u => u.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(o => o.Value == CodeSigning));
        if (!codeSigning) throw new BundleRefusedException($"it is signed by {signer.Subject}, which is not a firmware signer (no code-signing key usage)");
        return signer;
    }
}
