namespace Cpe.ImageBuilder;

/// <summary>The steps, in order: first stage, root tree, slot image and its verity tree, ESP, data partition, disk.</summary>
static class ImageAssembly
{
    public static void Build(Recipe r)
    {
        Directory.CreateDirectory(r.OutputDirectory);
        string work = r.WorkDirectory;
        if (Directory.Exists(work)) Directory.Delete(work, true);
        Directory.CreateDirectory(work);
        string initrd = Path.Combine(work, "initrd.img"), root = Path.Combine(work, "root");
        Initramfs.Build(r, Path.Combine(work, "initramfs"), initrd);
        RootTree.Build(r, root, initrd);
        Reproducible.Stamp(root, r.Epoch);
        File.Delete(r.SlotFile);
        // What differs between two versions from the same binaries (os-release) goes last, so that an update reuses
        // every chunk before it from the running slot (only the tail and the tables at the end change).
        string sort = Path.Combine(work, "squashfs.sort");
        File.WriteAllText(sort, "etc/os-release -32768\n");
        Tool.Run("mksquashfs", [root, r.SlotFile, "-noappend", "-quiet", "-no-progress", "-comp", "zstd", "-b", "256K", "-all-root", "-no-xattrs",
            "-mkfs-time", r.Epoch.ToString(), "-all-time", r.Epoch.ToString(), "-processors", "2", "-sort", sort]);
        // The dm-verity tree after the SquashFS (which ignores what follows it); salt and UUID derive from the version.
        var salt = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"cpe-firmware {r.Version} verity salt"));
        var verity = Cpe.Image.Verity.VerityHashTree.Append(r.SlotFile, salt, Reproducible.DerivedGuid(r.Version, "verity"));
        if (new FileInfo(r.SlotFile).Length > DiskLayout.SlotA.Size)
            throw new BuildException($"the slot image is {new FileInfo(r.SlotFile).Length >> 20} MiB, more than a slot's {DiskLayout.SlotA.SizeMiB} MiB");
        string esp = Path.Combine(work, "esp.img"), data = Path.Combine(work, "data.img");
        EspBuilder.Build(r, work, Path.Combine(root, "boot/vmlinuz"), initrd, verity, esp);
        DataPartition.Build(r, data);
        DiskImage.Assemble(r, new Dictionary<Partition, string> { [DiskLayout.Esp] = esp, [DiskLayout.SlotA] = r.SlotFile, [DiskLayout.Data] = data }, r.ImageFile);
        Directory.Delete(work, true);
    }
}
