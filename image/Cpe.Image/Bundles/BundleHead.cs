using System.Security.Cryptography.X509Certificates;

namespace Cpe.Image.Bundles;

/// <summary>A bundle's verified beginning: the manifest whose signature checked out, and where the image lies in the file.</summary>
public sealed record BundleHead(BundleManifest Manifest, byte[] ManifestJson, byte[] Signature, X509Certificate2 Signer)
{
    public long ImageOffset => BundleArchive.ImageOffset(ManifestJson.Length, Signature.Length);

    /// <summary>The whole bundle's length: anything shorter is truncated, anything longer has bytes appended.</summary>
    public long BundleLength => ImageOffset + Manifest.Image.Size + BundleArchive.TrailerLength(Manifest.Image.Size);

    /// <summary>
    /// Checks a manifest and its signature: the signature first (nothing unsigned is parsed as a manifest), then every
    /// manifest field. This is also how an installer re-reads the head it kept when it resumes.
    /// </summary>
    public static BundleHead Verify(byte[] manifestJson, byte[] signature, FirmwareTrust trust)
    {
        var signer = trust.Verify(manifestJson, signature);
        return new BundleHead(BundleManifest.Parse(manifestJson), manifestJson, signature, signer);
    }

    /// <summary>Reads and verifies the head from a stream at the bundle's first byte, leaving it at the image's first byte.</summary>
    public static async Task<BundleHead> ReadAsync(Stream bundle, FirmwareTrust trust, CancellationToken ct)
    {
        byte[] manifest = await ReadMemberAsync(bundle, BundleArchive.ManifestName, BundleArchive.MaxManifest, ct);
        byte[] signature = await ReadMemberAsync(bundle, BundleArchive.SignatureName, BundleArchive.MaxSignature, ct);
        var head = Verify(manifest, signature, trust);
        var header = await ReadExactlyAsync(bundle, BundleArchive.Block, BundleArchive.ImageName + " header", ct);
        long size = BundleArchive.ReadHeader(header, BundleArchive.ImageName, BundleManifest.MaxImageSize);
        if (size != head.Manifest.Image.Size) throw new BundleRefusedException($"its {BundleArchive.ImageName} is {size} bytes, the manifest says {head.Manifest.Image.Size}");
        return head;
    }

    /// <summary>Reads what follows the image: zero padding, the two zero blocks, then the end of the stream.</summary>
    public async Task ReadTrailerAsync(Stream bundle, CancellationToken ct)
    {
        var trailer = await ReadExactlyAsync(bundle, BundleArchive.TrailerLength(Manifest.Image.Size), "the end-of-archive blocks", ct);
        if (trailer.Any(b => b != 0)) throw new BundleRefusedException("its end-of-archive blocks are not zero");
        if (await bundle.ReadAsync(new byte[1], ct) != 0) throw new BundleRefusedException("it has bytes after its end");
    }

    static async Task<byte[]> ReadMemberAsync(Stream bundle, string name, int max, CancellationToken ct)
    {
        var header = await ReadExactlyAsync(bundle, BundleArchive.Block, name + " header", ct);
        long size = BundleArchive.ReadHeader(header, name, max);
        var data = await ReadExactlyAsync(bundle, (int)size, name, ct);
        var padding = await ReadExactlyAsync(bundle, BundleArchive.Padding(size), name + " padding", ct);
        if (padding.Any(b => b != 0)) throw new BundleRefusedException($"its {name} padding is not zero");
        return data;
    }

    internal static async Task<byte[]> ReadExactlyAsync(Stream s, int count, string what, CancellationToken ct)
    {
        var buffer = new byte[count];
        int got = await s.ReadAtLeastAsync(buffer, count, throwOnEndOfStream: false, ct);
        if (got < count) throw new BundleRefusedException($"it is truncated: it ends in {what}");
        return buffer;
    }
}
