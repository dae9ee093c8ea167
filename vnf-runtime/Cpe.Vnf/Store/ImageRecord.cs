using Cpe.Vnf;

namespace Cpe.Vnf.Store;

/// <summary>One image in the store: a VNF name and version, its manifest, who signed it, and what it holds on disk.</summary>
public sealed record ImageRecord(
    string Name,
    string Version,
    string ManifestDigest,
    string ConfigDigest,
    string Signer,
    DateTimeOffset AddedAt,
    long BlobBytes,
    long RootFsBytes,
    IReadOnlyList<string> Holders)
{
    public string Reference => $"{Name}:{Version}";
}

/// <summary>Adding would take the store past its disk quota; nothing was kept.</summary>
public sealed class ImageStoreQuotaException(string message) : VnfException(message);

/// <summary>An image that is missing, or cannot be deleted because something holds it.</summary>
public sealed class ImageStoreException(string message) : VnfException(message);
