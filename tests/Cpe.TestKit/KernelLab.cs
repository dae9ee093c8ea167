using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Cpe.TestKit;

/// <summary>
/// What came back from one lab boot: the serial console, the script's exit status, its "LAB name=value" facts, and
/// what QEMU itself said (its exit code and standard error) for when the machine never ran the script.
/// </summary>
public sealed record LabResult(string Console, int ExitStatus, IReadOnlyList<string> Facts, int QemuExitCode, string QemuErrors)
{
    /// <summary>One line first (test runners show the first line of a failure), then the whole console.</summary>
    public override string ToString() =>
        $"lab exit {ExitStatus}, qemu exit {QemuExitCode}, {Console.Length} console chars, facts [{string.Join("; ", Facts)}], qemu stderr: {QemuErrors.ReplaceLineEndings(" ").Trim()}\n{Console}";
}

/// <summary>
/// The kernel lab (DESIGN.md §6): boots Debian's generic kernel under QEMU with Intel 82576 (igb) NICs,
/// which have real SR-IOV, and an initramfs holding busybox, iproute2, the modules a test needs, our
/// binaries and a test script; reads the results from the serial console. One boot per call, about
/// 10 s under TCG. Needs qemu-system-x86 10 (bookworm-backports) and linux-image-amd64: build.sh
/// installs both.
/// </summary>
public static partial class KernelLab
{
    const string Qemu = "/usr/bin/qemu-system-x86_64";

    /// <summary>igb/igbvf and their dependencies, the bridge with VLAN filtering, 802.1Q, veth.</summary>
    public static readonly string[] DefaultModules = ["igb", "igbvf", "bridge", "8021q", "veth", "macvlan"];

    public static string KernelVersion =>
        Directory.GetDirectories("/lib/modules").Select(Path.GetFileName).Where(v => File.Exists($"/boot/vmlinuz-{v}")).Order().LastOrDefault()
        ?? throw new InvalidOperationException("no kernel with modules in /boot and /lib/modules: build.sh setup installs linux-image-amd64");

    /// <summary>What <see cref="LabResult.ExitStatus"/> is when the machine reset (e.g. its watchdog fired) before the script ended.</summary>
    public const int Reset = -1;

    /// <summary>
    /// <paramref name="script"/> wrapped to run chrooted into a tmpfs copy of the lab's tools, with /proc, /sys and /dev.
    /// The lab boots into its initramfs, and pivot_root cannot leave the initial ramfs (EINVAL): a launcher that pivots
    /// runs from a real mount instead, as on the box, whose root is a real file system.
    /// </summary>
    public static string InTmpfsRoot(string script) => """
        mkdir /newroot && mount -t tmpfs -o size=256m root /newroot
        for d in bin sbin lib lib64 lab usr; do [ -e /$d ] && cp -a /$d /newroot/; done
        mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/tmp /newroot/run
        mount -t proc proc /newroot/proc && mount -t sysfs sys /newroot/sys && mount -t devtmpfs dev /newroot/dev
        cat > /newroot/test.sh <<'SCRIPT'

        """ + script + """

        SCRIPT
        chroot /newroot /bin/sh /test.sh
        """;

    /// <summary>
    /// Boots the lab, runs <paramref name="script"/> (busybox sh) and returns what it printed. <paramref name="devices"/>
    /// are more QEMU options (e.g. "-device", "i6300esb"); with <paramref name="allowReset"/>, a machine that resets
    /// (QEMU runs with -no-reboot, so a reset ends it) returns with <see cref="Reset"/> instead of failing.
    /// </summary>
    public static async Task<LabResult> RunAsync(string script, IEnumerable<string>? binaries = null, int nics = 1,
        IEnumerable<string>? modules = null, TimeSpan? timeout = null, IEnumerable<string>? devices = null, bool allowReset = false)
    {
        // Two vCPUs (the SR-IOV and VNF labs want them) and timing (the watchdog): every lane.
        using var lanes = await LabMachines.AllLanesAsync();
        string work = Directory.CreateTempSubdirectory("cpe-lab-").FullName;
        try
        {
            string initrd = await BuildInitramfsAsync(work, script, binaries ?? [], modules ?? DefaultModules);
            var args = new List<string>
            {
                "-machine", "q35", "-m", "1024", "-smp", "2", "-nographic", "-no-reboot",
                "-kernel", $"/boot/vmlinuz-{KernelVersion}", "-initrd", initrd,
                "-append", "console=ttyS0 quiet panic=-1 rdinit=/init",
            };
            if (nics == 0) args.AddRange(["-nic", "none"]);
            for (int i = 0; i < nics; i++)
            {
                // restrict=on: the guest's NIC reaches nothing, not even the host; the tests only need the hardware.
                args.AddRange(["-netdev", $"user,id=n{i},restrict=on", "-device", $"pcie-root-port,id=rp{i},chassis={i + 1}",
                    "-device", $"igb,netdev=n{i},bus=rp{i}"]);
            }
            args.AddRange(devices ?? []);
            var psi = new ProcessStartInfo(Qemu, args) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            using var qemu = Process.Start(psi)!;
            var output = qemu.StandardOutput.ReadToEndAsync();
            var errors = qemu.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
            try { await qemu.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException)
            {
                qemu.Kill();
                throw new TimeoutException($"the lab did not power off in time:\n{await output}");
            }
            string console = (await output).Replace("\r", "");
            var exit = ExitLine().Match(console);
            // With -no-reboot a guest reset is a clean QEMU exit (0); any other exit is QEMU failing, never a reset.
            if (!exit.Success && (!allowReset || qemu.ExitCode != 0))
                throw new InvalidOperationException($"the lab script did not finish (qemu exit {qemu.ExitCode}: {(await errors).Trim()}):\n{console}");
            // Firmware escape codes may share a line with the first fact: look for the marker anywhere.
            var facts = console.Split('\n').Select(l => l.IndexOf("LAB ", StringComparison.Ordinal) is int at and >= 0 ? l[(at + 4)..].Trim() : null)
                .OfType<string>().ToList();
            return new LabResult(console, exit.Success ? int.Parse(exit.Groups[1].Value) : Reset, facts, qemu.ExitCode, await errors);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [GeneratedRegex(@"LAB-EXIT (\d+)")]
    private static partial Regex ExitLine();

    static async Task<string> BuildInitramfsAsync(string work, string script, IEnumerable<string> binaries, IEnumerable<string> modules)
    {
        string root = Path.Combine(work, "root");
        foreach (var d in new[] { "bin", "sbin", "lib", "lib64", "proc", "sys", "dev", "tmp", "run", "lab", "lib/modules" })
            Directory.CreateDirectory(Path.Combine(root, d));
        File.Copy("/bin/busybox", Path.Combine(root, "bin/busybox"));
        var programs = new[] { "/usr/bin/ip", "/usr/sbin/bridge" }.Where(File.Exists).Concat(binaries).ToList();
        foreach (var program in programs) ProgramTree.CopyWithLibraries(program, root, Path.Combine("lab", Path.GetFileName(program)));

        var ordered = ResolveModules(modules);
        string moduleDir = Path.Combine(root, "lib/modules");
        foreach (var m in ordered) File.Copy(m, Path.Combine(moduleDir, Path.GetFileName(m)), overwrite: true);

        var init = new StringBuilder();
        init.Append("#!/bin/busybox sh\n/bin/busybox --install -s /bin\nexport PATH=/lab:/bin\n");
        init.Append("mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs dev /dev; mount -t tmpfs tmp /tmp\n");
        foreach (var m in ordered) init.Append($"insmod /lib/modules/{Path.GetFileName(m)}\n");
        init.Append("sleep 1\necho\n/bin/sh /lab/test.sh\necho \"LAB-EXIT $?\"\npoweroff -f\n");
        await File.WriteAllTextAsync(Path.Combine(root, "init"), init.ToString());
        // Debian's static busybox runs its own applets (ip) before anything on PATH; functions come first.
        // (Only names an applet could have need it, and only those are valid function names.)
        var preamble = string.Concat(programs.Select(p => Path.GetFileName(p)).Where(n => Regex.IsMatch(n, "^[a-z]+$"))
            .Select(n => $"{n}() {{ /lab/{n} \"$@\"; }}\n"));
        await File.WriteAllTextAsync(Path.Combine(root, "lab/test.sh"), "set -e\n" + preamble + script);
        File.SetUnixFileMode(Path.Combine(root, "init"), (UnixFileMode)0b111_101_101);

        string initrd = Path.Combine(work, "initrd.gz");
        await Shell($"cd '{root}' && find . | cpio -o -H newc --quiet | gzip -1 > '{initrd}'");
        return initrd;
    }

    /// <summary>Each module after the ones it depends on (modinfo -F depends), paths on the host.</summary>
    static List<string> ResolveModules(IEnumerable<string> names)
    {
        var ordered = new List<string>();
        var seen = new HashSet<string>();
        void Visit(string name)
        {
            if (!seen.Add(name)) return;
            string depends = Run("modinfo", "-k", KernelVersion, "-F", "depends", name).Trim();
            foreach (var d in depends.Split(',', StringSplitOptions.RemoveEmptyEntries)) Visit(d);
            string file = Run("modinfo", "-k", KernelVersion, "-n", name).Trim();
            if (file.EndsWith(".ko", StringComparison.Ordinal)) ordered.Add(file);   // "(builtin)" needs nothing
        }
        foreach (var n in names) Visit(n);
        return ordered;
    }

    // modinfo answers with a non-zero status for what it does not know; the caller looks at the output.
    static string Run(string file, params string[] args) => Command.Run(file, args, check: false);

    static Task Shell(string command) => Task.Run(() => Command.Run("/bin/sh", ["-c", command]));
}
