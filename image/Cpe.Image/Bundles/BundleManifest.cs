using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Cpe.Image.Verity;

namespace Cpe.Image.Bundles;

/// <summary>
/// What a bundle's signature covers (docs/reference/firmware-bundle.md): which firmware this is, which boards take
/// it, the anti-rollback floor it sets once marked good, the slot image by size, hash and 1 MiB chunk hashes, and the
/// image's dm-verity root (the boot entry hands it to the kernel, which then checks every block the slot reads).
/// </summary>
public sealed partial record BundleManifest(
    int Format,
    string Name,
    string Version,
    string[] Compatible,
    string MinimumVersion,
    DateTimeOffset Created,
    SlotImage Image,
    VerityRoot Verity)
{
    public const int CurrentFormat = 1;
    public const int ChunkSize = 1 << 20;

    /// <summary>The largest slot image a manifest may describe (a slot partition is far smaller; the installer checks that).</summary>
    public const long MaxImageSize = 4L << 30;

    public FirmwareVersion ParsedVersion => FirmwareVersion.Parse(Version);
    public FirmwareVersion ParsedMinimum => FirmwareVersion.Parse(MinimumVersion);

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, BundleJsonContext.Default.BundleManifest);

    /// <summary>The manifest in <paramref name="json"/>, every field checked; a <see cref="BundleRefusedException"/> names the first problem.</summary>
    public static BundleManifest Parse(byte[] json)
    {
        BundleManifest? m;
        try { m = JsonSerializer.Deserialize(json, BundleJsonContext.Default.BundleManifest); }
        catch (JsonException e) { throw new BundleRefusedException($"its manifest does not parse: {e.Message}"); }
        if (m is null) throw new BundleRefusedException("its manifest is null");
        m.Check();
        return m;
    }

    void Check()
    {
        if (Format != CurrentFormat) throw Bad($"format {Format} is not one this box reads ({CurrentFormat})");
        if (Name is null || !Word().IsMatch(Name)) throw Bad("name must be 1-64 letters, digits, '.', '_' or '-'");
        if (!FirmwareVersion.TryParse(Version, out var version)) throw Bad($"version '{Version}' is not a firmware version");
        if (!FirmwareVersion.TryParse(MinimumVersion, out var minimum)) throw Bad($"minimum-version '{MinimumVersion}' is not a firmware version");
        if (minimum > version) throw Bad($"minimum-version {minimum} is above the version {version}: the box could never run it again");
        if (Compatible is null || Compatible.Length == 0 || Compatible.Length > 64 || Compatible.Any(c => c is null || !Word().IsMatch(c)))
            throw Bad("compatible must name 1-64 board models");
        if (Image is null) throw Bad("image is missing");
        if (Image.Size <= 0 || Image.Size > MaxImageSize) throw Bad($"image size {Image.Size} is not between 1 byte and 4 GiB");
        if (Image.ChunkSize != ChunkSize) throw Bad($"chunk-size {Image.ChunkSize} is not {ChunkSize}");
        if (!Hex().IsMatch(Image.Sha256 ?? "")) throw Bad("image sha256 is not 64 lowercase hex digits");
        long chunks = (Image.Size + ChunkSize - 1) / ChunkSize;
        if (Image.Chunks is null || Image.Chunks.Length != chunks) throw Bad($"image lists {Image.Chunks?.Length ?? 0} chunk hashes, its size needs {chunks}");
        if (Image.Chunks.Any(c => c is null || !Hex().IsMatch(c))) throw Bad("a chunk hash is not 64 lowercase hex digits");
        if (Verity is null) throw Bad("verity is missing");
        if (Verity.Problem() is string p) throw Bad(p);
        if (Verity.ImageSize != Image.Size) throw Bad($"the verity tree over {Verity.DataBlocks} blocks makes a {Verity.ImageSize}-byte slot image, not {Image.Size} bytes");
    }

    static BundleRefusedException Bad(string what) => new($"its manifest is not valid: {what}");

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex Word();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Hex();
}

/// <summary>The slot image: its exact size, its SHA-256, and the SHA-256 of each <see cref="ChunkSize"/> piece (the last one may be short).</summary>
public sealed record SlotImage(long Size, string Sha256, int ChunkSize, string[] Chunks)
{
    public long ChunkLength(int index) => Math.Min(ChunkSize, Size - (long)index * ChunkSize);
}

/// <summary>A bundle that must not be installed; the message says why, in words for the console and the vendor server.</summary>
public sealed class BundleRefusedException(string reason, Exception? inner = null) : Exception(reason, inner);

[JsonSourceGenerationOptions(AllowDuplicateProperties = false, PropertyNamingPolicy = JsonKnownNamingPolicy.KebabCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true,
    WriteIndented = true)]
[JsonSerializable(typeof(BundleManifest))]
internal sealed partial class BundleJsonContext : JsonSerializerContext;
