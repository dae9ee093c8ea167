using System.Globalization;
using System.Text.RegularExpressions;

namespace Cpe.Image.Verity;

/// <summary>
/// What dm-verity needs to read a slot (docs/reference/firmware-image.md, "Verified root"): the root hash, the salt and
/// how many 4096-byte data blocks it covers. The slot is laid out as data, then a verity superblock, then the hash
/// tree, so the hash area starts at block <see cref="DataBlocks"/> and its tree one block later. The signed manifest
/// carries these values, the boot entry hands them to the first stage as cpe.verity=ROOT:SALT:BLOCKS.
/// </summary>
public sealed partial record VerityRoot(string RootHash, string Salt, long DataBlocks)
{
    public const int BlockSize = 4096;
    public const string Algorithm = "sha256";

    public long HashTreeBlock => DataBlocks + 1;

    /// <summary>The slot's whole size: data, superblock, tree.</summary>
    public long ImageSize => (DataBlocks + 1 + VerityHashTree.TreeBlocks(DataBlocks)) * BlockSize;

    public string CommandLineValue => $"{RootHash}:{Salt}:{DataBlocks.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The mapped device's length in 512-byte sectors: the data blocks only.</summary>
    public long Sectors => DataBlocks * (BlockSize / 512);

    /// <summary>The verity target's parameters over <paramref name="device"/>, data and hashes on the same device (a table line is "0 SECTORS verity" and these).</summary>
    public string TargetParameters(string device) =>
        string.Create(CultureInfo.InvariantCulture,
            $"1 {device} {device} {BlockSize} {BlockSize} {DataBlocks} {HashTreeBlock} {Algorithm} {RootHash} {(Salt.Length == 0 ? "-" : Salt)}");

    /// <summary>The problem with these values, or null: what a manifest or a command line may carry.</summary>
    public string? Problem() =>
        !Hex64().IsMatch(RootHash ?? "") ? "the verity root hash is not 64 lowercase hex digits"
        : Salt is null || Salt.Length > 512 || Salt.Length % 2 != 0 || !HexAny().IsMatch(Salt) ? "the verity salt is not up to 256 bytes of lowercase hex"
        : DataBlocks < 2 || DataBlocks > (1L << 40) ? $"the verity data block count {DataBlocks} is out of range"
        : null;

    public static VerityRoot ParseCommandLine(string value)
    {
        var parts = value.Split(':');
        if (parts.Length != 3 || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long blocks))
            throw new FormatException($"'{value}' is not ROOT-HASH:SALT:DATA-BLOCKS");
        var root = new VerityRoot(parts[0], parts[1], blocks);
        return root.Problem() is string p ? throw new FormatException(p) : root;
    }

    public static VerityRoot? TryParseCommandLine(string value)
    {
        try { return ParseCommandLine(value); }
        catch (FormatException) { return null; }
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Hex64();

    [GeneratedRegex("^[0-9a-f]*$")]
    private static partial Regex HexAny();
}
