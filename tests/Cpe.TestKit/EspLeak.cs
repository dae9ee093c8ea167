using System.Buffers.Binary;

namespace Cpe.TestKit;

/// <summary>
/// What a power cut in the middle of a FAT write can leave on the ESP of a built disk image: clusters allocated in the
/// FAT that no directory entry owns (here: a file written with mtools whose entry is then marked deleted, its chain
/// left in place). Linux's vfat never frees them; only a check of the file system does.
/// </summary>
public static class EspLeak
{
    const long EspOffset = 1L << 20;   // docs/reference/firmware-image.md, "Disk layout": the ESP starts at 1 MiB

    /// <summary>Leaks <paramref name="bytes"/> of the ESP of <paramref name="disk"/>; returns its free bytes after, as mtools counts them.</summary>
    public static long Leak(string disk, int bytes, string folder)
    {
        string file = Path.Combine(folder, "LEAK.BIN");
        File.WriteAllBytes(file, new byte[bytes]);
        Command.Run("mcopy", ["-i", $"{disk}@@{EspOffset}", file, "::/LEAK.BIN"]);
        using (var image = new FileStream(disk, FileMode.Open, FileAccess.ReadWrite))
        {
            var boot = new byte[512];
            image.Position = EspOffset;
            image.ReadExactly(boot);
            int bytesPerSector = BinaryPrimitives.ReadUInt16LittleEndian(boot.AsSpan(11));
            int reserved = BinaryPrimitives.ReadUInt16LittleEndian(boot.AsSpan(14));
            int fats = boot[16];
            int rootEntries = BinaryPrimitives.ReadUInt16LittleEndian(boot.AsSpan(17));
            int fatSectors = BinaryPrimitives.ReadUInt16LittleEndian(boot.AsSpan(22));
            if (rootEntries == 0 || fatSectors == 0) throw new InvalidOperationException("the ESP is not FAT12/16: no fixed root directory to edit");
            long root = EspOffset + (long)(reserved + fats * fatSectors) * bytesPerSector;
            var entries = new byte[rootEntries * 32];
            image.Position = root;
            image.ReadExactly(entries);
            for (int i = 0; i < entries.Length; i += 32)
            {
                if (!entries.AsSpan(i, 11).SequenceEqual("LEAK    BIN"u8)) continue;
                image.Position = root + i;
                image.WriteByte(0xe5);   // deleted, as if the entry never reached the disk; the FAT chain stays allocated
                image.Flush();
                File.Delete(file);
                string info = Command.Run("mdir", ["-i", $"{disk}@@{EspOffset}", "::/"]);
                return long.Parse(System.Text.RegularExpressions.Regex.Match(info, @"([\d ]+) bytes free").Groups[1].Value.Replace(" ", ""), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException("mcopy wrote no LEAK.BIN into the ESP's root directory");
    }
}
