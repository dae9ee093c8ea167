using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cpe.Image.Verity;
using Cpe.Signing;

namespace Cpe.Image.Bundles;

/// <summary>What the firmware signer says about a slot image it bundles.</summary>
public sealed record BundleInfo(string Name, string Version, string[] Compatible, string? MinimumVersion, DateTimeOffset Created);

/// <summary>
/// Makes a bundle: checks the slot image's verity tree against its data (the root hash it signs must be the one
/// the blocks give), hashes the image chunk by chunk, writes and signs the manifest, then the archive.
/// </summary>
public static class BundleWriter
{
    public static async Task<BundleManifest> WriteAsync(string imagePath, BundleInfo info, X509Certificate2 signer,
        IEnumerable<X509Certificate2>? chain, Stream output, CancellationToken ct)
    {
        VerityRoot verity;
        await using (var image = File.OpenRead(imagePath))
        {
            try { verity = VerityHashTree.Read(image); }
            catch (InvalidDataException e) { throw new BundleRefusedException($"{imagePath}: {e.Message} (cpe-image build appends it)"); }
        }
        var manifest = new BundleManifest(BundleManifest.CurrentFormat, info.Name, info.Version, info.Compatible,
            info.MinimumVersion ?? info.Version, info.Created, await HashAsync(imagePath, ct), verity);
        var json = manifest.ToJson();
        BundleManifest.Parse(json);   // what the box would refuse is not signed
        var signature = DetachedSignature.Sign(json, signer, chain);
        await output.WriteAsync(BundleArchive.Head(json, signature, manifest.Image.Size), ct);
        await using (var image = File.OpenRead(imagePath)) await image.CopyToAsync(output, ct);
        await output.WriteAsync(new byte[BundleArchive.TrailerLength(manifest.Image.Size)], ct);
        return manifest;
    }

    /// <summary>The size, SHA-256 and chunk hashes of a slot image file.</summary>
    public static async Task<SlotImage> HashAsync(string imagePath, CancellationToken ct)
    {
        await using var image = File.OpenRead(imagePath);
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunks = new List<string>();
        var buffer = new byte[BundleManifest.ChunkSize];
        int got;
        while ((got = await image.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct)) > 0)
        {
            chunks.Add(ChunkHash.Of(buffer.AsSpan(0, got)));
            whole.AppendData(buffer, 0, got);
        }
        return new SlotImage(image.Length, Convert.ToHexStringLower(whole.GetHashAndReset()), BundleManifest.ChunkSize, [.. chunks]);
    }
}
