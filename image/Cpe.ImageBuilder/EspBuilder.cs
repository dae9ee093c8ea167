namespace Cpe.ImageBuilder;

/// <summary>
/// The EFI system partition as a FAT file made by mkfs.vfat and filled by mtools: systemd-boot at the removable-media
/// path (no NVRAM entry needed), loader.conf, slot A's kernel and first stage, and slot A's boot entry, marked good
/// (no boot counter): a factory image boots A. Slot B has no entry until an update installs it.
/// </summary>
static partial class EspBuilder
{
    public const string SystemdBoot = "/usr/lib/systemd/boot/efi/systemd-bootx64.efi";

    public static void Build(Recipe r, string work, string kernel, string initrd, Cpe.Image.Verity.VerityRoot verity, string output)
    {
        if (!File.Exists(SystemdBoot)) throw new BuildException($"{SystemdBoot} is missing: build.sh setup installs systemd-boot-efi");
        File.Delete(output);
        var volumeId = Reproducible.DerivedGuid(r.Version, "esp-volume").ToString("N")[..8];
        Tool.Run("mkfs.vfat", ["--invariant", "-i", volumeId, "-n", "CPE-ESP", "-C", output, (DiskLayout.Esp.Size / 1024).ToString()]);
        string files = Path.Combine(work, "esp");
        if (Directory.Exists(files)) Directory.Delete(files, true);
        RootTree.CopyTree(Path.Combine(r.SourceDirectory, "esp"), files);
        Directory.CreateDirectory(Path.Combine(files, "EFI/BOOT"));
        File.Copy(SystemdBoot, Path.Combine(files, "EFI/BOOT/BOOTX64.EFI"));
        Directory.CreateDirectory(Path.Combine(files, "cpe/a"));
        File.Copy(kernel, Path.Combine(files, "cpe/a/vmlinuz"));
        File.Copy(initrd, Path.Combine(files, "cpe/a/initrd.img"));
        Directory.CreateDirectory(Path.Combine(files, "loader/entries"));
        File.WriteAllText(Path.Combine(files, "loader/entries/cpe-a.conf"), Cpe.Image.Slots.BootEntry.Text("a", r.Version, 1, verity));
        Reproducible.Stamp(files, r.Epoch);
        // mcopy -s copies the tree; -m keeps the (fixed) modification times; SOURCE_DATE_EPOCH fixes what mtools stamps itself.
        var env = new Dictionary<string, string> { ["SOURCE_DATE_EPOCH"] = r.Epoch.ToString(), ["MTOOLS_SKIP_CHECK"] = "1", ["TZ"] = "UTC" };
        foreach (var top in Directory.GetFileSystemEntries(files).Order())
            Tool.Run("mcopy", ["-i", output, "-s", "-m", "-Q", top, "::/"], env);
        // An update writes the other slot's kernel and first stage beside these: the ESP must have room for them, with
        // a quarter to spare for a release that grows, or the image could never be updated.
        long needed = (new FileInfo(kernel).Length + new FileInfo(initrd).Length) * 5 / 4;
        long free = long.Parse(FreeBytes().Match(Tool.Run("mdir", ["-i", output, "::/"], env)).Groups[1].Value.Replace(" ", ""), System.Globalization.CultureInfo.InvariantCulture);
        if (free < needed)
            throw new BuildException($"the ESP has {free >> 20} MiB free, but an update needs {needed >> 20} MiB for the other slot's kernel and first stage");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"([0-9 ]+) bytes free")]
    private static partial System.Text.RegularExpressions.Regex FreeBytes();
}
