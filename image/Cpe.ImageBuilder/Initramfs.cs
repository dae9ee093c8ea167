namespace Cpe.ImageBuilder;

/// <summary>
/// The slot's first stage: busybox, cpe-verity (which maps the slot through dm-verity) with the libraries it loads, the
/// disk, SquashFS and dm-verity modules, and image/initramfs/init, as a reproducible gzip'd cpio.
/// </summary>
static class Initramfs
{
    public static void Build(Recipe r, string stage, string output)
    {
        if (Directory.Exists(stage)) Directory.Delete(stage, recursive: true);
        foreach (var d in new[] { "bin", "dev", "proc", "sys", "etc", "newroot", "lib/modules" }) Directory.CreateDirectory(Path.Combine(stage, d));
        File.Copy("/bin/busybox", Path.Combine(stage, "bin/busybox"));
        string verity = Path.Combine(r.BinDirectory, "cpe-verity");
        if (!File.Exists(verity)) throw new BuildException($"{verity} is missing: ./build.sh build publishes it");
        RootTree.Copy(verity, Path.Combine(stage, "bin/cpe-verity"), 0b111_101_101);
        foreach (var lib in SharedLibraries.Of([verity])) RootTree.Copy(lib, Path.Combine(stage, lib.TrimStart('/')), 0b111_101_101);
        RootTree.CopyTree(Path.Combine(r.SourceDirectory, "initramfs"), stage);
        var order = KernelModules.CopyInto(r.KernelVersion, Recipe.InitramfsModules, Path.Combine(stage, "lib/modules"));
        File.WriteAllText(Path.Combine(stage, "etc/modules.order"), string.Join('\n', order) + "\n");
        Reproducible.Stamp(stage, r.Epoch);
        Tool.Run("/bin/sh", ["-c", $"cd '{stage}' && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet | gzip -n -9 > '{output}'"]);
    }
}
