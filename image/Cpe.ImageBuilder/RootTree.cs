namespace Cpe.ImageBuilder;

/// <summary>
/// The slot's root file system as a folder (docs/reference/firmware-image.md, "The slot"): busybox and its applets,
/// our binaries with the libraries they load, the kernel, its modules and the first stage in /boot, the box's start
/// scripts, board profiles, sample VNFs and trust anchors.
/// </summary>
static class RootTree
{
    public static readonly string[] Programs = ["cped", "cpe", "cpe-phonehome", "cpe-runtime"];
    const string FsckFat = "/sbin/fsck.fat";

    public static void Build(Recipe r, string root, string initramfs)
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        foreach (var d in new[] { "proc", "sys", "dev", "run", "tmp", "data", "factory", "boot/efi", "root", "usr/bin", "usr/sbin", "usr/lib/cpe",
                     "usr/share/cpe/boards", "usr/share/cpe/vnfs", "usr/share/cpe/trust", "etc/cpe", "etc/default", "var" })
            Directory.CreateDirectory(Path.Combine(root, d));
        Busybox(root);
        CopyTree(Path.Combine(r.SourceDirectory, "rootfs"), root);

        // Our programs and what they load: the libraries published beside them, and the system's, found from the binaries.
        var programs = Programs.Select(p => Path.Combine(r.BinDirectory, p)).ToList();
        foreach (var p in programs.Where(p => !File.Exists(p))) throw new BuildException($"{p} is missing: ./build.sh build publishes it");
        foreach (var p in programs)
        {
            Copy(p, Path.Combine(root, "usr/lib/cpe", Path.GetFileName(p)), 0b111_101_101);
            File.CreateSymbolicLink(Path.Combine(root, "usr/bin", Path.GetFileName(p)), "../lib/cpe/" + Path.GetFileName(p));
        }
        foreach (var lib in Directory.GetFiles(r.BinDirectory, "*.so").Order()) Copy(lib, Path.Combine(root, "usr/lib/cpe", Path.GetFileName(lib)), 0b110_100_100);
        // fsck.fat (dosfstools): rcS checks the ESP, which has no journal, before it mounts it.
        Copy(FsckFat, Path.Combine(root, "usr/sbin/fsck.fat"), 0b111_101_101);
        foreach (var lib in SharedLibraries.Of([.. programs, FsckFat])) Copy(lib, Path.Combine(root, lib.TrimStart('/')), 0b111_101_101);

        // The kernel's modules for the box, flat, in load order; the kernel and the first stage for the boot loader.
        string modules = Path.Combine(root, "lib/modules", r.KernelVersion);
        var order = KernelModules.CopyInto(r.KernelVersion, Recipe.BoxModules, modules);
        File.WriteAllText(Path.Combine(root, "etc/modules.order"), string.Join('\n', order) + "\n");
        Copy($"/boot/vmlinuz-{r.KernelVersion}", Path.Combine(root, "boot/vmlinuz"), 0b110_100_100);
        Copy(initramfs, Path.Combine(root, "boot/initrd.img"), 0b110_100_100);

        foreach (var b in Directory.GetFiles(r.BoardDirectory, "*.json").Order()) Copy(b, Path.Combine(root, "usr/share/cpe/boards", Path.GetFileName(b)), 0b110_100_100);
        foreach (var v in Directory.GetFiles(r.VnfDirectory, "*.tar").Order()) Copy(v, Path.Combine(root, "usr/share/cpe/vnfs", Path.GetFileName(v)), 0b110_100_100);
        for (int i = 0; i < r.TrustAnchors.Count; i++) Copy(r.TrustAnchors[i], Path.Combine(root, "usr/share/cpe/trust", $"firmware-anchor-{i}.pem"), 0b110_100_100);
        TimeZones(root);
        File.WriteAllText(Path.Combine(root, "etc/os-release"), OsRelease(r));
        File.WriteAllText(Path.Combine(root, "etc/default/cpe"), Settings(r));
    }

    /// <summary>The image's settings, read by rcS (the boot guard) and run-cped (the health check's time limit).</summary>
    public static string Settings(Recipe r) => $"""
        # Seconds a slot on trial has to pass cped's health check before it reboots to try again (or fall back).
        # The boot guard in rcS reboots after twice this when cped cannot run the check at all.
        HEALTH_TIMEOUT={r.HealthTimeoutSeconds}

        """;

    /// <summary>os-release(5): what the box says it runs (show version, the check-in's os-version).</summary>
    public static string OsRelease(Recipe r) => $"""
        NAME="CPE firmware"
        ID={r.Name}
        PRETTY_NAME="CPE firmware {r.Version}"
        VERSION_ID={r.Version}
        IMAGE_ID={r.Name}
        IMAGE_VERSION={r.Version}
        BUILD_ID={r.Epoch}

        """;

    /// <summary>
    /// The time zones `system time-zone` accepts (docs/reference/configuration.md), from the build machine's tzdata:
    /// the CLI shows times in the configured one. Links are copied as the files they name, so the slot holds no link
    /// out of the tree.
    /// </summary>
    static void TimeZones(string root)
    {
        const string Zoneinfo = "/usr/share/zoneinfo";
        if (!File.Exists(Path.Combine(Zoneinfo, "Europe/Berlin"))) throw new BuildException($"{Zoneinfo} has no time zones: install tzdata (./build.sh does)");
        string[] areas = ["Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Etc", "Europe", "Indian", "Pacific"];
        foreach (string area in areas)
            foreach (var file in Directory.GetFiles(Path.Combine(Zoneinfo, area), "*", SearchOption.AllDirectories).Order())
                Copy(file, Path.Combine(root, "usr/share/zoneinfo", Path.GetRelativePath(Zoneinfo, file)), 0b110_100_100);
        Copy(Path.Combine(Zoneinfo, "UTC"), Path.Combine(root, "usr/share/zoneinfo/UTC"), 0b110_100_100);
    }

    /// <summary>Debian's static busybox, with a link for each applet where its own list puts it (but what our files provide).</summary>
    static void Busybox(string root)
    {
        Copy("/bin/busybox", Path.Combine(root, "bin/busybox"), 0b111_101_101);
        foreach (var applet in Tool.Run("/bin/busybox", ["--list-full"]).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order())
        {
            string link = Path.Combine(root, applet);
            if (applet == "bin/busybox" || File.Exists(link)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            string depth = string.Concat(Enumerable.Repeat("../", applet.Count(c => c == '/')));
            File.CreateSymbolicLink(link, depth + "bin/busybox");
        }
    }

    public static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories).Order())
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories).Order())
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            if (File.Exists(target) || Directory.Exists(target) || new FileInfo(target).LinkTarget is not null) File.Delete(target);
            bool executable = (File.GetUnixFileMode(file) & UnixFileMode.UserExecute) != 0;
            Copy(file, target, executable ? 0b111_101_101 : 0b110_100_100);
        }
    }

    public static void Copy(string from, string to, int mode)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to, overwrite: true);
        File.SetUnixFileMode(to, (UnixFileMode)mode);
    }
}
