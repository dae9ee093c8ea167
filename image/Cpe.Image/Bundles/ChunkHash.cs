using System.Security.Cryptography;

namespace Cpe.Image.Bundles;

/// <summary>The manifest's chunk hashes: the unit a download resumes at and a local copy is reused by.</summary>
public static class ChunkHash
{
    public static string Of(ReadOnlySpan<byte> chunk) => Convert.ToHexStringLower(SHA256.HashData(chunk));

    public static bool Matches(SlotImage image, int index, ReadOnlySpan<byte> chunk) =>
        chunk.Length == image.ChunkLength(index) && Of(chunk) == image.Chunks[index];
}
