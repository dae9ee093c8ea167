using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Cpe.TestKit;

/// <summary>
/// The firmware image booted the way a box boots it: OVMF (UEFI), systemd-boot from the disk's ESP, the slot's kernel,
/// on a q35 machine with two igb NICs (WAN, LAN with SR-IOV), an i6300ESB watchdog and the DMI product name of the
/// lab board profile. The serial console is QEMU's standard input and output: tests read it and type into it.
/// The disk is a copy the machine owns, opened write-through so that killing QEMU is a power cut.
/// </summary>
public sealed partial class ImageMachine : IAsyncDisposable
{
    const string Qemu = "/usr/bin/qemu-system-x86_64";
    const string OvmfCode = "/usr/share/OVMF/OVMF_CODE_4M.fd", OvmfVars = "/usr/share/OVMF/OVMF_VARS_4M.fd";

    readonly Process _qemu;
    readonly StringBuilder _console = new();
    readonly List<(int Offset, TimeSpan At)> _arrivals = [];
    readonly object _gate = new();
    readonly Task _reader;
    readonly IDisposable _lane;
    int _mark;

    public string Disk { get; }
    public string Folder { get; }
    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    ImageMachine(Process qemu, string disk, string folder, IDisposable lane)
    {
        _qemu = qemu;
        _lane = lane;
        Disk = disk;
        Folder = folder;
        _reader = Task.Run(ReadConsoleAsync);
    }

    /// <summary>The whole console so far, without carriage returns and terminal escape sequences.</summary>
    public string Console { get { lock (_gate) return _console.ToString(); } }

    /// <summary>
    /// Powers on a machine with <paramref name="disk"/> (the machine's own copy: power cuts and updates change it).
    /// <paramref name="wan"/> is the QEMU netdev of the WAN port (default: user networking that reaches nothing).
    /// </summary>
    /// <paramref name="factory"/> is the factory storage's disk (a FAT file system labelled CPE-FACTORY), attached read-only.
    /// <paramref name="netns"/> runs QEMU in that network namespace (where a tap for <paramref name="wan"/> is).
    /// <paramref name="direct"/> boots that kernel and initramfs instead of the disk's loader (OVMF loads them; the disk stays attached).
    /// <paramref name="cpu"/> is a QEMU CPU model (QEMU's default, qemu64, when null).
    /// <paramref name="serialPty"/> puts the serial console on a pseudo-terminal (<see cref="SerialPtyAsync"/>), as a
    /// console cable to a laptop, instead of on QEMU's standard input and output.
    public static async Task<ImageMachine> StartAsync(string disk, string folder, string? wan = null, bool reboot = true, string? factory = null, string? netns = null,
        (string Kernel, string Initrd, string Append)? direct = null, string? cpu = null, bool serialPty = false)
    {
        // One vCPU, one of the host's two lanes: two boxes boot side by side as fast as one alone.
        var lane = await LabMachines.OneLaneAsync();
        try
        {
            string vars = Path.Combine(folder, "OVMF_VARS.fd");
            if (!File.Exists(vars)) File.Copy(OvmfVars, vars);
            var args = new List<string>
            {
                "-machine", "q35", "-m", "1024", "-smp", "1", "-display", "none", "-monitor", "none", "-serial", serialPty ? "pty" : "stdio",
                "-drive", $"if=pflash,format=raw,readonly=on,file={OvmfCode}", "-drive", $"if=pflash,format=raw,file={vars}",
                "-drive", $"file={disk},format=raw,if=virtio,cache=writethrough",
                "-smbios", "type=1,manufacturer=CPE Lab,product=CPE-LAB-Q35",
                "-netdev", wan ?? "user,id=wan,restrict=on", "-device", "pcie-root-port,id=rp0,chassis=1", "-device", "igb,netdev=wan,bus=rp0",
                "-netdev", "user,id=lan,restrict=on", "-device", "pcie-root-port,id=rp1,chassis=2", "-device", "igb,netdev=lan,bus=rp1",
                "-device", "i6300esb",
            };
            if (factory is not null) args.AddRange(["-drive", $"file={factory},format=raw,if=virtio,readonly=on"]);
            if (!reboot) args.Add("-no-reboot");
            if (cpu is not null) args.AddRange(["-cpu", cpu]);
            if (direct is { } d) args.AddRange(["-kernel", d.Kernel, "-initrd", d.Initrd, "-append", d.Append]);
            // ip netns exec execs QEMU itself: killing the process is still pulling the plug.
            if (netns is not null) args.InsertRange(0, ["netns", "exec", netns, Qemu]);
            var psi = new ProcessStartInfo(netns is null ? Qemu : "ip", args) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            return new ImageMachine(Process.Start(psi)!, disk, folder, lane);
        }
        catch
        {
            lane.Dispose();
            throw;
        }
    }

    /// <summary>A private copy of a built image (sparse, so a copy costs what the image holds, not its size).</summary>
    public static string CopyImage(string image, string folder)
    {
        string disk = Path.Combine(folder, "disk.img");
        Command.Run("cp", ["--sparse=always", image, disk]);
        return disk;
    }

    async Task ReadConsoleAsync()
    {
        var buffer = new char[4096];
        var reader = _qemu.StandardOutput;
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0)
        {
            string text = Escapes().Replace(new string(buffer, 0, n), "").Replace("\r", "");
            lock (_gate)
            {
                _arrivals.Add((_console.Length, Clock.Elapsed));
                _console.Append(text);
            }
        }
    }

    /// <summary>
    /// Waits until the console, after what earlier waits consumed, matches <paramref name="pattern"/>; returns the text up
    /// to and including the match and moves past it. Fails with the console's tail when the time runs out or QEMU ends.
    /// </summary>
    public async Task<string> WaitForAsync(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern, RegexOptions.Multiline);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            lock (_gate)
            {
                string text = _console.ToString(_mark, _console.Length - _mark);
                if (regex.Match(text) is { Success: true } m)
                {
                    _mark += m.Index + m.Length;
                    return text[..(m.Index + m.Length)];
                }
            }
            if (deadline.Elapsed > timeout || _qemu.HasExited)
                throw new TimeoutException($"the console never showed /{pattern}/ in {timeout.TotalSeconds:0} s (qemu {(_qemu.HasExited ? $"exited {_qemu.ExitCode}" : "running")}); its end:\n{Tail(4000)}");
            await Task.Delay(25);
        }
    }

    /// <summary>When (on <see cref="Clock"/>) the console's last match of <paramref name="pattern"/> arrived; null if it never did.</summary>
    public TimeSpan? ShownAt(string pattern)
    {
        lock (_gate)
        {
            var matches = Regex.Matches(_console.ToString(), pattern, RegexOptions.Multiline);
            if (matches.Count == 0) return null;
            int at = matches[^1].Index;
            return _arrivals.Last(a => a.Offset <= at).At;
        }
    }

    public string Tail(int characters)
    {
        string all = Console;
        return all.Length <= characters ? all : all[^characters..];
    }

    /// <summary>The pseudo-terminal QEMU put the serial console on (<c>serialPty</c>), from what QEMU says at its start.</summary>
    public async Task<string> SerialPtyAsync()
    {
        string said = await WaitForAsync(@"char device redirected to (/dev/pts/\d+) \(label serial0\)", TimeSpan.FromSeconds(30));
        return Regex.Match(said, @"/dev/pts/\d+").Value;
    }

    /// <summary>Types a line on the serial console, a character every <paramref name="delay"/> ms, as a person or a paste would.</summary>
    public async Task TypeAsync(string line, int delay = 5)
    {
        foreach (var c in line + "\r")
        {
            await _qemu.StandardInput.WriteAsync(c);
            await _qemu.StandardInput.FlushAsync();
            await Task.Delay(delay);
        }
    }

    /// <summary>Logs in on the console as <paramref name="user"/> and waits for the CLI prompt.</summary>
    public async Task LoginAsync(string user, string password, TimeSpan timeout)
    {
        await WaitForAsync(@"login: $", timeout);
        await TypeAsync(user);
        await WaitForAsync("Password: $", TimeSpan.FromSeconds(30));
        await TypeAsync(password);
        await WaitForAsync(@"> $", TimeSpan.FromSeconds(60));
    }

    /// <summary>Runs one CLI command and returns its output (up to the next prompt).</summary>
    public async Task<string> RunAsync(string command, string prompt = @"[>#] $", TimeSpan? timeout = null, int typingDelay = 5)
    {
        // A script does not page, as a Junos expect script adds '| no-more': the console is 24 rows, and output longer
        // than that would stop at '---(more)---' waiting for a key.
        if (command.StartsWith("show ", StringComparison.Ordinal) && !command.Contains('|')) command += " | no-more";
        await TypeAsync(command, typingDelay);
        string text = await WaitForAsync(prompt, timeout ?? TimeSpan.FromSeconds(60));
        int first = text.IndexOf('\n');
        int last = text.LastIndexOf('\n');
        return first >= 0 && last > first ? text[(first + 1)..last] : "";
    }

    /// <summary>Runs <paramref name="command"/> every 2 s until its output contains <paramref name="expected"/>; returns the last output.</summary>
    public async Task<string> RunUntilAsync(string command, string expected, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            string output = await RunAsync(command);
            if (output.Contains(expected, StringComparison.Ordinal) || clock.Elapsed > timeout) return output;
            await Task.Delay(2000);
        }
    }

    /// <summary>
    /// A file of the data partition, read off the disk with debugfs once the machine is off (nothing mounted): the
    /// agent's and cped's logs for a failing test's reader. Null when it cannot be read.
    /// </summary>
    public string? DataFile(string path)
    {
        if (!_qemu.HasExited) return null;
        string partition = Path.Combine(Folder, "data-partition.img");
        try
        {
            // The data partition: 96 MiB at DataPartitionOffset (docs/reference/firmware-image.md).
            Command.Run("dd", [$"if={Disk}", $"of={partition}", "bs=1M", $"skip={DataPartitionOffset >> 20}", "count=96", "status=none"]);
            return Command.Run("debugfs", ["-R", $"cat {path}", partition], check: false);
        }
        finally { File.Delete(partition); }
    }

    /// <summary>Where the data partition starts on the disk (docs/reference/firmware-image.md, "Disk layout").</summary>
    public const long DataPartitionOffset = 129L << 20;

    /// <summary>
    /// Writes <paramref name="local"/> as <paramref name="path"/> of the data partition of <paramref name="disk"/>, a
    /// machine that is off (debugfs, nothing mounted), making its folder first.
    /// </summary>
    public static void WriteDataFile(string disk, string local, string path)
    {
        string target = $"{disk}?offset={DataPartitionOffset}";
        string folder = Path.GetDirectoryName(path)!;
        if (folder != "/") Command.Run("debugfs", ["-w", "-R", $"mkdir {folder}", target], check: false);   // there already: fine
        Command.Run("debugfs", ["-w", "-R", $"write {local} {path}", target]);
    }

    /// <summary>Pulls the plug: QEMU is killed, the disk keeps what reached it.</summary>
    public async Task PowerCutAsync()
    {
        if (!_qemu.HasExited) _qemu.Kill();
        await _qemu.WaitForExitAsync();
        Release();
    }

    public async Task<int> WaitForPowerOffAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _qemu.WaitForExitAsync(cts.Token);
        Release();
        return _qemu.ExitCode;
    }

    void Release() => _lane.Dispose();   // once: the lease gives its lane back only the first time

    public async ValueTask DisposeAsync()
    {
        await PowerCutAsync();
        await _reader.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
        _qemu.Dispose();
    }

    [GeneratedRegex(@"\x1b\[[0-9;?=]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1bc")]
    private static partial Regex Escapes();
}
