using System.Diagnostics;
using System.Text.RegularExpressions;
using Cpe.Image.Verity;
using Cpe.TestKit;

namespace Cpe.UnitTests.Image;

/// <summary>Our dm-verity tree against veritysetup (cryptsetup), the independent reader and writer of the format.</summary>
[Trait("Kind", "Unit")]
public sealed partial class VerityHashTreeTests : IDisposable
{
    readonly TempFolder _dir = new("cpe-verity-");
    static readonly Guid Uuid = new("6f0b1f7e-2a43-4c1e-9d59-4e1d0c2f5a11");

    public void Dispose() => _dir.Dispose();

    string Data(int size, int seed, string name)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        string path = Path.Combine(_dir.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData(2 * 4096, "")]               // the smallest tree: one level of one block
    [InlineData(1_400_000, "00ff")]          // two levels, a short last data block padded
    [InlineData(70_000_000, "5eed")]         // three levels (more than 128 × 128 data blocks)
    public void Veritysetup_writes_the_same_superblock_and_tree_and_gets_the_same_root_hash(int size, string salt)
    {
        string ours = Data(size, size, "ours"), theirs = Data(size, size, "theirs");
        var root = VerityHashTree.Append(ours, Convert.FromHexString(salt), Uuid);

        long offset = root.DataBlocks * VerityRoot.BlockSize;
        File.SetUnixFileMode(theirs, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using (var f = new FileStream(theirs, FileMode.Open)) f.SetLength(offset);
        string output = Veritysetup($"format {theirs} {theirs} --hash-offset={offset} --data-blocks={root.DataBlocks} --salt={(salt.Length == 0 ? "-" : salt)} --uuid={Uuid}");
        Assert.Equal(RootHash().Match(output).Groups[1].Value, root.RootHash);
        Assert.Equal(File.ReadAllBytes(theirs), File.ReadAllBytes(ours));
        Assert.Equal(new FileInfo(ours).Length, root.ImageSize);

        Veritysetup($"verify {ours} {ours} {root.RootHash} --hash-offset={offset}");
        using var image = File.OpenRead(ours);
        Assert.Equal(root, VerityHashTree.Read(image));
    }

    [Theory]
    [InlineData("data", "the verity tree's level 0 does not match")]
    [InlineData("leaf hashes", "the verity tree's level 0 does not match")]
    [InlineData("top level", "the verity tree's level 1 does not match")]
    [InlineData("superblock", "has no verity superblock")]
    [InlineData("truncated", "verity superblock")]
    [InlineData("no tree", "has no verity superblock")]
    public void A_changed_image_or_tree_is_caught_by_our_reader_and_by_veritysetup(string change, string reason)
    {
        string path = Data(1_400_000, 7, "image");
        var root = VerityHashTree.Append(path, [1, 2, 3], Uuid);
        long data = root.DataBlocks * VerityRoot.BlockSize;
        var bytes = File.ReadAllBytes(path);
        switch (change)
        {
            case "data": bytes[123_456] ^= 1; break;
            case "leaf hashes": bytes[^100] ^= 1; break;                                  // the last level is the data blocks' hashes
            case "top level": bytes[data + VerityRoot.BlockSize + 5] ^= 1; break;      // the first block after the superblock
            case "superblock": bytes[data] ^= 1; break;
            case "truncated": bytes = bytes[..^VerityRoot.BlockSize]; break;
            case "no tree": bytes = [.. bytes[..(int)data], .. new byte[bytes.Length - data]]; break;
        }
        File.WriteAllBytes(path, bytes);
        using (var image = File.OpenRead(path))
            Assert.Contains(reason, Assert.Throws<InvalidDataException>(() => VerityHashTree.Read(image)).Message);
        if (change is "data" or "leaf hashes" or "top level")
            Assert.NotEqual(0, Run($"verify {path} {path} {root.RootHash} --hash-offset={data}").Exit);
    }

    static string Veritysetup(string args)
    {
        var (exit, output) = Run(args);
        Assert.True(exit == 0, $"veritysetup {args}: {output}");
        return output;
    }

    static (int Exit, string Output) Run(string args)
    {
        var psi = new ProcessStartInfo("veritysetup", args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    [GeneratedRegex(@"Root hash:\s+([0-9a-f]{64})")]
    private static partial Regex RootHash();
}
