using System.Security.Cryptography;

namespace Cpe.Image.Bundles;

/// <summary>
/// The whole check of a bundle read front to back: its head (signature, manifest, policy), each image chunk against its
/// hash, the whole image against its hash, and its end. `cpe-vendor firmware verify` runs exactly this; the box's
/// installer runs the same pieces while it writes, chunk by chunk.
/// </summary>
public static class BundleVerifier
{
    /// <param name="chunk">Each verified chunk in order, e.g. to write it; null to only check.</param>
    public static async Task<BundleHead> VerifyAsync(Stream bundle, FirmwareTrust trust, InstallPolicy? policy,
        Func<int, ReadOnlyMemory<byte>, CancellationToken, Task>? chunk, CancellationToken ct)
    {
        var head = await BundleHead.ReadAsync(bundle, trust, ct);
        policy?.Check(head.Manifest);
        var image = head.Manifest.Image;
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[image.ChunkSize];
        for (int i = 0; i < image.Chunks.Length; i++)
        {
            int length = (int)image.ChunkLength(i);
            int got = await bundle.ReadAtLeastAsync(buffer.AsMemory(0, length), length, throwOnEndOfStream: false, ct);
            if (got < length) throw new BundleRefusedException($"it is truncated: it ends in image chunk {i} of {image.Chunks.Length}");
            if (!ChunkHash.Matches(image, i, buffer.AsSpan(0, length)))
                throw new BundleRefusedException($"image chunk {i} of {image.Chunks.Length} does not match its signed hash");
            whole.AppendData(buffer, 0, length);
            if (chunk is not null) await chunk(i, buffer.AsMemory(0, length), ct);
        }
        if (Convert.ToHexStringLower(whole.GetHashAndReset()) != image.Sha256)
            throw new BundleRefusedException("the image does not match its signed sha-256");
        await head.ReadTrailerAsync(bundle, ct);
        return head;
    }
}
