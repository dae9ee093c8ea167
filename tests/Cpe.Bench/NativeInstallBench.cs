using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Cpe.Image.Bundles;
using Cpe.Image.Install;
using Cpe.Image.Slots;
using Cpe.TestKit;



/// <summary>
/// The box's installer (SlotInstaller, the same code cped runs) on this machine's own CPU, against dd of the same image
/// bytes, each into a loop block device with direct I/O over a file on the same disk, page cache dropped before each
/// run, fsync at the end of both. The running slot holds 1.0.0 with its chunk list recorded, as after any install, and
/// shares no chunk with the random image installed. QEMU's TCG emulates the CPU, so SHA-256 there runs at a few percent of its native
/// speed (no SHA extensions) while disk I/O does not slow down: this run shows what an install costs where the CPU is real.
/// </summary>
static class NativeInstallBench
{
    const int Runs = 5;

    public static async Task<JsonObject> RunAsync(string root, string bundle, string image)
    {
        long imageBytes = new FileInfo(image).Length;
        long slotBytes = 48L << 20;
        string[] backing = ["running", "install", "dd"];
        var loops = new List<string>();
        try
        {
            foreach (var name in backing)
            {
                string file = Path.Combine(root, $"loop-{name}.img");
                using (var f = File.Create(file)) f.SetLength(slotBytes);
                loops.Add(Command.Run("losetup", ["--find", "--show", "--direct-io=on", file]).Trim());
            }
            string running = Path.ChangeExtension(Binaries.FirmwareBundle("1.0.0"), null) + ".rootfs.img";
            Command.Run("dd", [$"if={running}", $"of={loops[0]}", "bs=1M", "conv=fsync", "status=none"]);
            var runningChunks = new SlotChunks(BundleManifest.ChunkSize, [.. File.ReadAllBytes(running).Chunk(BundleManifest.ChunkSize).Select(c => ChunkHash.Of(c))]);
            var trust = FirmwareTrust.FromPemFiles([Path.Combine(FirmwareBuild.Keys, "vendor-ca.pem")]);
            var install = new List<double>();
            var dd = new List<double>();
            for (int run = 0; run < Runs; run++)
            {
                Command.Run("blkdiscard", ["-f", loops[1]], check: false);
                DropCaches();
                string state = Directory.CreateDirectory(Path.Combine(root, $"state-{run}")).FullName;
                string esp = Directory.CreateDirectory(Path.Combine(root, $"esp-{run}")).FullName;
                new ImageState(state).SetChunks("a", runningChunks);
                var installer = new SlotInstaller(new SlotPaths("a", loops[0], "b", loops[1], slotBytes), new BootEntries(esp), new ImageState(state), trust,
                    new InstallPolicy("cpe-lab-q35", FirmwareVersion.Parse("1.0.0")), new StopAtBootFiles(), "1.0.0");
                using var source = new FileBundleSource(bundle);
                try { await installer.InstallAsync(source, bundle, reboot: false, CancellationToken.None); }
                catch (StopAtBootFiles.Stopped) { }
                install.Add(installer.Progress.Written?.TotalSeconds ?? throw new InvalidOperationException($"the install did not write and check the slot: {installer.Progress}"));

                DropCaches();
                var clock = Stopwatch.StartNew();
                Command.Run("dd", [$"if={image}", $"of={loops[2]}", "bs=1M", "conv=fsync", "status=none"]);
                dd.Add(clock.Elapsed.TotalSeconds);
            }
            double mib = imageBytes / 1048576.0, i = Median(install), d = Median(dd);
            return new JsonObject
            {
                ["mib"] = Math.Round(mib, 1),
                ["install_s"] = new JsonArray([.. install.Select(x => (JsonNode)Math.Round(x, 3))]),
                ["dd_s"] = new JsonArray([.. dd.Select(x => (JsonNode)Math.Round(x, 3))]),
                ["install_mib_per_s"] = Math.Round(mib / i, 1),
                ["dd_mib_per_s"] = Math.Round(mib / d, 1),
                ["install_vs_dd"] = Math.Round(d / i, 2),
                ["sha256_mb_per_s"] = OpensslSha256(),
            };
        }
        finally
        {
            foreach (var loop in loops) Command.Run("losetup", ["-d", loop], check: false);
        }
    }

    static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    static void DropCaches()
    {
        Command.Run("sync", []);
        File.WriteAllText("/proc/sys/vm/drop_caches", "3\n");
    }

    /// <summary>openssl speed's SHA-256 over 1 MiB blocks on this CPU, in MB/s (what each of the install's two hash passes can reach).</summary>
    static double OpensslSha256()
    {
        string output = Command.Run("openssl", ["speed", "-seconds", "2", "-bytes", "1048576", "sha256"]);
        string last = output.Trim().Split('\n')[^1];
        return Math.Round(double.Parse(last.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1].TrimEnd('k'), CultureInfo.InvariantCulture) / 1000, 1);
    }

    /// <summary>Ends the install where it would mount the slot for its kernel: what is timed (writing and checking) is done by then.</summary>
    sealed class StopAtBootFiles : IBootFiles
    {
        public sealed class Stopped : Exception;
        public Task<(string Kernel, string Initrd)> ExtractAsync(string slotDevice, string folder, CancellationToken ct) => throw new Stopped();
    }
}
