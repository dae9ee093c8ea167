namespace Cpe.ImageBuilder;

/// <summary>
/// The raw GPT disk: sgdisk writes the table into a sparse file, then each partition's image is copied to its offset,
/// all-zero blocks skipped so that the file stays sparse (empty slot B costs nothing on disk).
/// </summary>
static class DiskImage
{
    public static void Assemble(Recipe r, IReadOnlyDictionary<Partition, string> contents, string output)
    {
        File.Delete(output);
        using (var disk = new FileStream(output, FileMode.CreateNew)) disk.SetLength(DiskLayout.DiskSize);
        var args = new List<string> { "-o", "-U", Reproducible.DerivedGuid(r.Version, "disk").ToString() };
        foreach (var p in DiskLayout.All)
        {
            long first = p.Offset / 512, last = (p.Offset + p.Size) / 512 - 1;
            args.AddRange(["-n", $"{p.Number}:{first}:{last}", "-t", $"{p.Number}:{p.TypeGuid}", "-c", $"{p.Number}:{p.Name}",
                "-u", $"{p.Number}:{Reproducible.DerivedGuid(r.Version, p.Name)}"]);
        }
        Tool.Run("sgdisk", [.. args, output]);
        using var target = new FileStream(output, FileMode.Open, FileAccess.Write);
        foreach (var (partition, file) in contents)
        {
            long length = new FileInfo(file).Length;
            if (length > partition.Size) throw new BuildException($"{Path.GetFileName(file)} is {length >> 20} MiB, more than the {partition.SizeMiB} MiB of {partition.Name}");
            CopySparse(file, target, partition.Offset);
        }
    }

    static void CopySparse(string file, FileStream target, long offset)
    {
        using var source = File.OpenRead(file);
        var block = new byte[64 << 10];
        long position = 0;
        int got;
        while ((got = source.ReadAtLeast(block, block.Length, throwOnEndOfStream: false)) > 0)
        {
            if (block.AsSpan(0, got).ContainsAnyExcept((byte)0))
            {
                target.Position = offset + position;
                target.Write(block, 0, got);
            }
            position += got;
        }
    }
}
