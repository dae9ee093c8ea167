using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Cpe.Image.Verity;

/// <summary>
/// The dm-verity hash tree (the kernel's Documentation/admin-guide/device-mapper/verity.rst, format 1, SHA-256, 4096-byte
/// blocks), made and checked here so the image build needs no loop device and stays reproducible. Each hash is
/// SHA-256(salt || block); a level's hashes are packed 128 to a block, zero-padded; levels go up until one block is
/// left, and the root hash is that block's hash. On disk the top level comes first and the data blocks' hashes last,
/// after a superblock in veritysetup's format, so <c>veritysetup verify</c> reads the same slot (tested).
/// </summary>
public static class VerityHashTree
{
    const int Block = VerityRoot.BlockSize, HashSize = 32, HashesPerBlock = Block / HashSize;
    static readonly byte[] Magic = "verity\0\0"u8.ToArray();

    /// <summary>How many hash blocks (all levels) cover <paramref name="dataBlocks"/> data blocks.</summary>
    public static long TreeBlocks(long dataBlocks)
    {
        long total = 0;
        for (long level = Blocks(dataBlocks); ; level = Blocks(level))
        {
            total += level;
            if (level == 1) return total;
        }
    }

    static long Blocks(long hashes) => (hashes + HashesPerBlock - 1) / HashesPerBlock;

    /// <summary>Pads <paramref name="file"/> to whole blocks and appends the superblock and the tree; returns what the kernel needs.</summary>
    public static VerityRoot Append(string file, byte[] salt, Guid uuid)
    {
        using var f = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        var root = Append(f, salt, uuid);
        f.Flush(flushToDisk: true);
        return root;
    }

    public static VerityRoot Append(Stream f, byte[] salt, Guid uuid)
    {
        if (salt.Length > 256) throw new ArgumentException("a verity salt is at most 256 bytes", nameof(salt));
        long dataBlocks = (f.Length + Block - 1) / Block;
        if (dataBlocks < 2) throw new InvalidDataException("the slot image is too small for a verity tree");
        f.SetLength(dataBlocks * Block);
        f.Position = 0;
        var (root, levels) = Compute(f, dataBlocks, salt);
        f.Position = dataBlocks * Block;
        f.Write(Superblock(uuid, dataBlocks, salt));
        for (int i = levels.Count - 1; i >= 0; i--) f.Write(levels[i]);
        return new VerityRoot(root, Convert.ToHexStringLower(salt), dataBlocks);
    }

    /// <summary>
    /// Reads the verity layout of a slot image, recomputes its tree from the data and requires every stored hash
    /// block to match: what the firmware signer checks before it signs the root hash. Throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static VerityRoot Read(Stream image)
    {
        long size = image.Length;
        if (size % Block != 0) throw new InvalidDataException($"the slot image ({size} bytes) is not a whole number of {Block}-byte blocks, so it has no verity tree");
        long dataBlocks = DataBlocksFor(size / Block)
            ?? throw new InvalidDataException($"no data and hash tree split fits a slot image of {size} bytes: it has no verity tree");
        var super = new byte[Block];
        image.Position = dataBlocks * Block;
        image.ReadExactly(super);
        byte[] salt = ParseSuperblock(super, dataBlocks);
        image.Position = 0;
        var (root, levels) = Compute(image, dataBlocks, salt);
        image.Position = (dataBlocks + 1) * Block;
        var stored = new byte[levels.Count][];
        for (int i = levels.Count - 1; i >= 0; i--) image.ReadExactly(stored[i] = new byte[levels[i].Length]);
        // From the data blocks' hashes up, so the message names the lowest level that differs.
        for (int i = 0; i < levels.Count; i++)
            if (!stored[i].AsSpan().SequenceEqual(levels[i])) throw new InvalidDataException($"the verity tree's level {i} does not match the slot's data");
        return new VerityRoot(root, Convert.ToHexStringLower(salt), dataBlocks);
    }

    /// <summary>The data block count N with N + superblock + tree = <paramref name="totalBlocks"/>, if there is one (the sum grows with N, so at most one).</summary>
    static long? DataBlocksFor(long totalBlocks)
    {
        for (long n = Math.Max(2, totalBlocks - 1 - totalBlocks / (HashesPerBlock - 1) - 8); n < totalBlocks; n++)
        {
            long total = n + 1 + TreeBlocks(n);
            if (total == totalBlocks) return n;
            if (total > totalBlocks) return null;
        }
        return null;
    }

    /// <summary>The root hash and each level's blocks, level 0 (the data blocks' hashes) first.</summary>
    static (string Root, List<byte[]> Levels) Compute(Stream data, long dataBlocks, byte[] salt)
    {
        var levels = new List<byte[]>();
        var block = new byte[Block];
        var current = new byte[Blocks(dataBlocks) * Block];
        for (long i = 0; i < dataBlocks; i++)
        {
            data.ReadExactly(block);
            Hash(salt, block, current.AsSpan((int)(i * HashSize), HashSize));
        }
        levels.Add(current);
        while (current.Length > Block)
        {
            long count = current.Length / Block;
            var next = new byte[Blocks(count) * Block];
            for (long i = 0; i < count; i++) Hash(salt, current.AsSpan((int)(i * Block), Block), next.AsSpan((int)(i * HashSize), HashSize));
            levels.Add(current = next);
        }
        var root = new byte[HashSize];
        Hash(salt, current, root);
        return (Convert.ToHexStringLower(root), levels);
    }

    static void Hash(byte[] salt, ReadOnlySpan<byte> block, Span<byte> into)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(salt);
        h.AppendData(block);
        h.GetHashAndReset(into);
    }

    /// <summary>veritysetup's on-disk superblock (struct verity_sb, 512 bytes, the rest of its block zero).</summary>
    static byte[] Superblock(Guid uuid, long dataBlocks, byte[] salt)
    {
        var b = new byte[Block];
        Magic.CopyTo(b, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), 1);    // superblock version
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), 1);   // hash type: normal (not Chrome OS)
        uuid.ToByteArray(bigEndian: true).CopyTo(b, 16);
        Encoding.ASCII.GetBytes(VerityRoot.Algorithm).CopyTo(b, 32);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(64), Block);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(68), Block);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(72), (ulong)dataBlocks);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(80), (ushort)salt.Length);
        salt.CopyTo(b, 88);
        return b;
    }

    static byte[] ParseSuperblock(byte[] b, long dataBlocks)
    {
        string? problem =
            !b.AsSpan(0, 8).SequenceEqual(Magic) ? "has no verity superblock"
            : BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8)) != 1 || BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(12)) != 1 ? "has a verity superblock of another version or hash type"
            : Encoding.ASCII.GetString(b, 32, 32).TrimEnd('\0') != VerityRoot.Algorithm ? "has a verity tree of another hash than sha256"
            : BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(64)) != Block || BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(68)) != Block ? "has verity blocks of another size than 4096"
            : BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(72)) != (ulong)dataBlocks ? "has a verity superblock whose data block count does not fit its size"
            : BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(80)) > 256 ? "has a verity salt longer than 256 bytes"
            : null;
        if (problem is not null) throw new InvalidDataException($"the slot image {problem}");
        return b.AsSpan(88, BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(80))).ToArray();
    }
}
