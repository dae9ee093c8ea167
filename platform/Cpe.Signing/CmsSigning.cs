using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace Cpe.Signing;

/// <summary>The signer every artifact uses, and the one chain check every verifier uses.</summary>
public static class CmsSigning
{
    /// <summary>A signer that digests with SHA-256 and embeds its own certificate and <paramref name="chain"/>, no root.</summary>
    public static CmsSigner Sha256Signer(X509Certificate2 signer, IEnumerable<X509Certificate2>? chain = null)
    {
        var info = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, signer)
        {
            DigestAlgorithm = new Oid("2.16.840.1.101.3.4.2.1"),   // SHA-256
            IncludeOption = X509IncludeOption.EndCertOnly,
        };
        foreach (var c in chain ?? []) info.Certificates.Add(c);
        return info;
    }

    /// <summary>True when <paramref name="leaf"/> chains to <paramref name="anchor"/>, the only root trusted, with <paramref name="intermediates"/>.</summary>
    public static bool Chains(X509Certificate2 leaf, X509Certificate2 anchor, X509Certificate2Collection? intermediates = null, DateTime? at = null)
    {
        // A malformed certificate may fail inside the chain engine rather than as an untrusted chain: both are "no".
        if (leaf.RawData.AsSpan().SequenceEqual(anchor.RawData)) return true;
        using var chain = Chain(anchor, intermediates, at);
        try { return chain.Build(leaf); }
        catch (CryptographicException) { return false; }
    }

    /// <summary>The certificates from <paramref name="leaf"/> up to <paramref name="anchor"/>, both included; empty when it does not chain.</summary>
    public static IReadOnlyList<X509Certificate2> PathTo(X509Certificate2 leaf, X509Certificate2 anchor, X509Certificate2Collection? intermediates = null)
    {
        if (leaf.RawData.AsSpan().SequenceEqual(anchor.RawData)) return [leaf];
        using var chain = Chain(anchor, intermediates, null);
        try { return chain.Build(leaf) ? [.. chain.ChainElements.Select(e => e.Certificate), anchor] : []; }
        catch (CryptographicException) { return []; }
    }

    static X509Chain Chain(X509Certificate2 anchor, X509Certificate2Collection? intermediates, DateTime? at)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(anchor);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = at ?? DateTime.Now;
        if (intermediates is not null) chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        return chain;
    }
}
