using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cpe.TestKit;

/// <summary>
/// The firmware image measured against what it is made of, in the same run (docs/benchmarks.md): the build's time and
/// sizes; boot to the CLI prompt against a plain kernel + busybox initramfs boot under the same OVMF and QEMU, and with
/// against without dm-verity; bytes downloaded for 1.0.0 → 2.0.0 against the whole bundle; install from a file on the
/// box against dd of as many bytes between the same partitions; power-on to bootstrap-complete.
/// </summary>
static partial class ImageBench
{
    static readonly TimeSpan Boot = TimeSpan.FromSeconds(240);

    public static async Task<JsonObject> RunAsync(int boots = 3)
    {
        using var dir = new TempFolder("cpe-bench-image-");
        var report = new JsonObject();
        report["build"] = Build(dir.Path);

        string v1 = Binaries.FirmwareImage("1.0.0");
        var (baseline, plainVerity) = Initramfs(v1, dir.Path);
        string unverified = ImageMachine.CopyImage(v1, Folder(dir.Path, "unverified"));
        Command.Run("mcopy", ["-o", "-i", $"{unverified}@@1M", plainVerity, "::/cpe/a/initrd.img"]);

        var plain = new List<double>();
        var image = new List<double>();
        var noVerity = new List<double>();
        for (int i = 0; i < boots; i++)
        {
            plain.Add(await BaselineBootAsync(dir.Path, baseline, v1));
            image.Add(await PromptAsync(ImageMachine.CopyImage(v1, Folder(dir.Path, $"boot-{i}"))));
            noVerity.Add(await PromptAsync(ImageMachine.CopyImage(unverified, Folder(dir.Path, $"plain-{i}"))));
        }
        report["boot"] = new JsonObject
        {
            ["runs"] = boots,
            ["plain_kernel_busybox_s"] = Round(plain.Min()),
            ["image_to_cli_prompt_s"] = Round(image.Min()),
            ["image_without_verity_to_cli_prompt_s"] = Round(noVerity.Min()),
            ["image_vs_plain"] = Round(image.Min() / plain.Min(), 2),
            ["verity_cost_s"] = Round(image.Min() - noVerity.Min()),
            ["all_s"] = new JsonObject { ["plain"] = Array(plain), ["image"] = Array(image), ["without_verity"] = Array(noVerity) },
        };
        report["install"] = await InstallRunsAsync(dir.Path, v1, baseline);
        report["zero_touch"] = await BootstrapCompleteAsync(dir.Path, v1);
        report["goals"] = new JsonObject
        {
            ["image_mib"] = 80, ["slot_mib"] = 48, ["install_vs_dd"] = 0.8,
        };
        return report;
    }

    /// <summary>Only the install against dd on this machine's own CPU (<see cref="NativeInstallBench"/>).</summary>
    public static async Task<JsonObject> NativeInstallOnlyAsync()
    {
        using var dir = new TempFolder("cpe-bench-install-");
        string bundle = RandomBundle(dir.Path, new FileInfo(Path.ChangeExtension(Binaries.FirmwareBundle("1.0.0"), null) + ".rootfs.img").Length);
        return await NativeInstallBench.RunAsync(dir.Path, bundle, Path.Combine(dir.Path, "cpe-firmware-9.0.0.rootfs.img"));
    }

    /// <summary>Only the install against dd, on QEMU's CPU model <paramref name="cpu"/> (for comparing models).</summary>
    public static async Task<JsonObject> InstallOnlyAsync(string? cpu)
    {
        using var dir = new TempFolder("cpe-bench-install-");
        string v1 = Binaries.FirmwareImage("1.0.0");
        var (baseline, _) = Initramfs(v1, dir.Path);
        var result = await InstallRunsAsync(dir.Path, v1, baseline, cpu);
        result["cpu"] = cpu ?? "qemu64 (QEMU's default)";
        return result;
    }

    /// <summary>
    /// The install against dd <paramref name="runs"/> times, each on freshly booted machines: one pair of figures swings
    /// by a third on this shared two-core machine, so the ratio reported is the median of the runs' ratios.
    /// </summary>
    static async Task<JsonObject> InstallRunsAsync(string root, string v1, string baselineInitrd, string? cpu = null, int runs = 5)
    {
        var all = new List<JsonObject>();
        for (int i = 0; i < runs; i++) all.Add(await InstallAsync(Folder(root, $"run-{i}"), v1, baselineInitrd, cpu));
        var ratios = all.Select(r => (double)r["install_vs_dd"]!).Order().ToArray();
        return new JsonObject
        {
            ["runs"] = runs,
            ["install_vs_dd_median"] = ratios[ratios.Length / 2],
            ["install_vs_dd_all"] = new JsonArray([.. ratios.Select(r => (JsonNode)r)]),
            ["each"] = new JsonArray([.. all]),
        };
    }

    static string Folder(string root, string name) => Directory.CreateDirectory(Path.Combine(root, name)).FullName;
    static double Round(double v, int digits = 1) => Math.Round(v, digits);
    static JsonArray Array(IEnumerable<double> values) => new([.. values.Select(v => (JsonNode)Round(v))]);

    /// <summary>cpe-image build of one version from the published binaries, timed; the sizes of what it writes.</summary>
    static JsonObject Build(string root)
    {
        string folder = Folder(root, "build");
        var clock = Stopwatch.StartNew();
        string disk = FirmwareBuild.Assemble("9.9.0", folder);
        double seconds = clock.Elapsed.TotalSeconds;
        string slot = Path.Combine(folder, "cpe-firmware-9.9.0.rootfs.img");
        using var slotFile = File.OpenRead(slot);
        var verity = Cpe.Image.Verity.VerityHashTree.Read(slotFile);
        string bundle = FirmwareBuild.Sign("9.9.0", folder);
        long allocated = long.Parse(Command.Run("du", ["-B1", disk]).Split('\t')[0], CultureInfo.InvariantCulture);
        long compressed = long.Parse(Command.Run("/bin/sh", ["-c", $"zstd -3 -c '{disk}' | wc -c"]).Trim(), CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["seconds"] = Round(seconds),
            ["disk_mib"] = Round(new FileInfo(disk).Length / 1048576.0),
            ["disk_allocated_mib"] = Round(allocated / 1048576.0),
            ["disk_zstd_mib"] = Round(compressed / 1048576.0),
            ["slot_image_mib"] = Round(slotFile.Length / 1048576.0),
            ["verity_tree_kib"] = Round((slotFile.Length - verity.DataBlocks * 4096) / 1024.0),
            ["bundle_mib"] = Round(new FileInfo(bundle).Length / 1048576.0),
        };
    }

    /// <summary>
    /// Two first stages made from the image's own (busybox, modules): the baseline, whose init only reports and
    /// powers off (or copies between partitions with dd), and the image's with the dm-verity step taken out.
    /// </summary>
    static (string Baseline, string WithoutVerity) Initramfs(string disk, string root)
    {
        string original = Path.Combine(root, "initrd.img"), tree = Folder(root, "initramfs");
        Command.Run("mcopy", ["-i", $"{disk}@@1M", "::/cpe/a/initrd.img", original]);
        Command.Run("/bin/sh", ["-c", $"cd '{tree}' && gzip -dc '{original}' | cpio -id --quiet"]);
        string init = File.ReadAllText(Path.Combine(tree, "init"));
        string mapped = VerityLine().Match(init).Value;
        if (mapped.Length == 0) throw new InvalidOperationException("the first stage has no cpe-verity line to take out");
        File.WriteAllText(Path.Combine(tree, "init"), init.Replace(mapped, "root=/dev/$dev"));
        string withoutVerity = Pack(tree, Path.Combine(root, "initrd-without-verity.img"));
        // openssl (speed) with the libraries it loads: what SHA-256 reaches on QEMU's emulated CPU, next to dd.
        foreach (string file in (string[])["/usr/bin/openssl", .. SharedLibraries("/usr/bin/openssl")])
        {
            string to = Path.Combine(tree, file.TrimStart('/').Replace("usr/bin/", "bin/"));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to, overwrite: true);
        }
        File.WriteAllText(Path.Combine(tree, "init"), """
            #!/bin/busybox sh
            /bin/busybox --install -s /bin
            export PATH=/bin
            mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
            echo "baseline: ready"
            if grep -q 'bench.dd=' /proc/cmdline; then
              for m in $(cat /etc/modules.order); do insmod "/lib/modules/$m" 2>/dev/null; done
              for i in $(seq 100); do [ -b /dev/vda3 ] && break; sleep 0.05; done
              mib=$(sed -n 's/.*bench\.dd=\([0-9]*\).*/\1/p' /proc/cmdline)
              a=$(cut -d' ' -f1 /proc/uptime)
              dd if=/dev/vda2 of=/dev/vda3 bs=1M count=$mib conv=fsync 2>/dev/null
              b=$(cut -d' ' -f1 /proc/uptime)
              echo "baseline: dd $mib MiB from $a to $b"
              echo "baseline: $(openssl speed -seconds 2 -bytes 1048576 sha256 2>/dev/null | tail -1)"
            fi
            poweroff -f
            """.Replace("\r", ""));
        return (Pack(tree, Path.Combine(root, "initrd-baseline.img")), withoutVerity);
    }

    /// <summary>The shared libraries <paramref name="program"/> loads, as ldd resolves them on this machine.</summary>
    static IEnumerable<string> SharedLibraries(string program) =>
        Command.Run("ldd", [program]).Split('\n').Select(l => LddPath().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value);

    static string Pack(string tree, string output)
    {
        Command.Run("/bin/sh", ["-c", $"cd '{tree}' && chmod 755 init && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1 > '{output}'"]);
        return output;
    }

    static string Kernel => Directory.GetFiles("/boot", "vmlinuz-*").Order().Last();

    static async Task<double> BaselineBootAsync(string root, string initrd, string disk, string extra = "")
    {
        string folder = Folder(root, "baseline-" + Guid.NewGuid().ToString("N")[..6]);
        await using var box = await ImageMachine.StartAsync(ImageMachine.CopyImage(disk, folder), folder, reboot: false,
            direct: (Kernel, initrd, "console=ttyS0,115200 quiet panic=5 " + extra));
        await box.WaitForAsync("baseline: ready", Boot);
        return box.Clock.Elapsed.TotalSeconds;
    }

    static async Task<double> PromptAsync(string disk)
    {
        await using var box = await ImageMachine.StartAsync(disk, Path.GetDirectoryName(disk)!);
        await box.WaitForAsync("login: ", Boot);
        return box.Clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// On a 1.0.0 box: 2.0.0 over HTTP (bytes downloaded against the bundle's size), then a bundle of random bytes as
    /// large as a real slot image from a file on /data, whose chunks match nothing on the box, so every byte is read
    /// from the file, written and read back (the install then stops where it mounts the slot, after what is timed).
    /// Baseline: dd of as many MiB from slot A to slot B with conv=fsync, on the baseline kernel and the same disk.
    /// </summary>
    static async Task<JsonObject> InstallAsync(string root, string v1, string baselineInitrd, string? cpu = null)
    {
        string folder = Folder(root, "install");
        string random = RandomBundle(folder, new FileInfo(Path.ChangeExtension(Binaries.FirmwareBundle("1.0.0"), null) + ".rootfs.img").Length);
        string disk = ImageMachine.CopyImage(v1, folder);
        ImageMachine.WriteDataFile(disk, random, "/bench.cpeu");
        long imageBytes = new FileInfo(Path.Combine(folder, "cpe-firmware-9.0.0.rootfs.img")).Length;

        using var server = new RangeFileServer(Path.GetDirectoryName(Binaries.FirmwareBundle("2.0.0"))!);
        double httpSeconds, fileSeconds;
        string http, file, status;
        await using (var box = await ImageMachine.StartAsync(disk, folder, wan: "user,id=wan", cpu: cpu))
        {
            await box.LoginAsync("root", "x", Boot);
            var clock = Stopwatch.StartNew();
            http = await box.RunAsync($"request system software add http://10.0.2.2:{server.Port}/cpe-firmware-2.0.0.cpeu", timeout: TimeSpan.FromMinutes(10));
            httpSeconds = clock.Elapsed.TotalSeconds;
            file = await box.RunAsync("request system software add /data/bench.cpeu", timeout: TimeSpan.FromMinutes(10));
            status = await box.RunAsync("show system software");
        }
        var installed = Installed().Match(http);
        if (!installed.Success) throw new InvalidOperationException("2.0.0 did not install: " + http);
        // The installer's own time from its first chunk to the whole image checked (the CLI polls twice a second).
        fileSeconds = SoftwareShown.WrittenSeconds(status, "9.0.0", "/data/bench.cpeu")
            ?? throw new InvalidOperationException("the random bundle was not written and checked whole: " + file + status);

        int mib = (int)((imageBytes + (1 << 20) - 1) >> 20);
        string ddFolder = Folder(root, "dd");
        await using var baseline = await ImageMachine.StartAsync(ImageMachine.CopyImage(v1, ddFolder), ddFolder, reboot: false,
            direct: (Kernel, baselineInitrd, $"console=ttyS0,115200 quiet panic=5 bench.dd={mib}"), cpu: cpu);
        var dd = DdLine().Match(await baseline.WaitForAsync(@"baseline: dd \d+ MiB from [0-9.]+ to [0-9.]+", Boot));
        double ddSeconds = double.Parse(dd.Groups[2].Value, CultureInfo.InvariantCulture) - double.Parse(dd.Groups[1].Value, CultureInfo.InvariantCulture);
        var sha = GuestSha256().Match(await baseline.WaitForAsync(@"baseline: sha256 .*\n", Boot));
        string image = Path.Combine(folder, "cpe-firmware-9.0.0.rootfs.img");
        long bundleBytes = new FileInfo(Binaries.FirmwareBundle("2.0.0")).Length;
        long downloaded = long.Parse(installed.Groups[1].Value, CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["v1_to_v2_bytes_downloaded"] = downloaded,
            ["v1_to_v2_bytes_copied_locally"] = long.Parse(installed.Groups[2].Value, CultureInfo.InvariantCulture),
            ["v2_bundle_bytes"] = bundleBytes,
            ["downloaded_share"] = Round((double)downloaded / bundleBytes, 3),
            ["v1_to_v2_http_s"] = Round(httpSeconds),
            ["file_install_mib"] = Round(imageBytes / 1048576.0),
            ["file_install_write_and_check_s"] = Round(fileSeconds, 2),
            ["file_install_mib_per_s"] = Round(imageBytes / 1048576.0 / fileSeconds),
            ["dd_mib"] = mib,
            ["dd_s"] = Round(ddSeconds, 2),
            ["dd_mib_per_s"] = Round(mib / ddSeconds),
            ["install_vs_dd"] = Round(mib / fileSeconds / (mib / ddSeconds), 2),
            ["guest_openssl_sha256_mb_per_s"] = sha.Success ? Round(double.Parse(sha.Groups[1].Value, CultureInfo.InvariantCulture) / 1000) : null,
            ["native"] = await NativeInstallBench.RunAsync(Folder(root, "native"), random, image),
        };
    }

    /// <summary>A signed 9.0.0 bundle of random bytes, as large as <paramref name="size"/> with their verity tree.</summary>
    internal static string RandomBundle(string folder, long size) => FirmwareBuild.RandomBundle(folder, size * 99 / 100, new Random(9));

    /// <summary>A factory-fresh 1.0.0 box in the fleet lab (dnsmasq with option 143, the vendor server): power-on to bootstrap-complete.</summary>
    static async Task<JsonObject> BootstrapCompleteAsync(string root, string v1)
    {
        await using var lab = await ImageFleetLab.StartAsync();
        lab.Enroll("bench-box", bootImage: null);
        string folder = Folder(root, "ztp");
        await using var box = await ImageMachine.StartAsync(ImageMachine.CopyImage(v1, folder), folder, wan: lab.WanNetdev, factory: lab.FactoryDisk, netns: lab.Namespace);
        await lab.WaitForProgressAsync("bootstrap-complete", TimeSpan.FromSeconds(300));
        return new JsonObject { ["power_on_to_bootstrap_complete_s"] = Round(box.Clock.Elapsed.TotalSeconds) };
    }

    [GeneratedRegex(@"^root=\$\(cpe-verity open .*$", RegexOptions.Multiline)]
    private static partial Regex VerityLine();

    [GeneratedRegex(@"(\d+) bytes downloaded, (\d+) bytes copied")]
    private static partial Regex Installed();

    [GeneratedRegex(@"(/\S+) \(0x")]
    private static partial Regex LddPath();

    [GeneratedRegex(@"baseline: sha256\s+([0-9.]+)k")]
    private static partial Regex GuestSha256();

    [GeneratedRegex(@"from ([0-9.]+) to ([0-9.]+)")]
    private static partial Regex DdLine();
}
