using System.Diagnostics;
using System.Text;

namespace Cpe.Platform.Provisioning;

/// <summary>What a zero-touch script may use.</summary>
public sealed record ScriptLimits(TimeSpan Timeout, long MemoryBytes = 64L << 20, int MaxProcesses = 64)
{
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);
}

/// <summary>How a script ended: its exit code (null when it was killed at the time limit) and what it printed.</summary>
public sealed record ScriptOutcome(int? ExitCode, bool TimedOut, string Output, TimeSpan Duration);

/// <summary>
/// Runs an RFC 8572 pre- or post-configuration script confined (docs/reference/ztp-scripts.md): a POSIX shell
/// script, run by /bin/sh as nobody with no capabilities and no_new_privs, in its own mount, PID, IPC, UTS and
/// network namespaces (no network at all), in its own cgroup (memory and process limits), with the device's
/// secrets (<paramref name="hiddenPaths"/>: the state directory, the factory storage) covered by empty mounts,
/// and killed at its time limit.
/// </summary>
public sealed class ScriptSandbox(string cgroupRoot, string workRoot, IReadOnlyList<string> hiddenPaths)
{
    /// <summary>Output kept per run; a script that prints more keeps its last bytes.</summary>
    public const int MaxOutput = 4096;
    const int Nobody = 65534;
    static int _runs;

    // Runs as root inside the new namespaces: hide the secrets, then drop to nobody for good.
    const string Inner = """
        IFS=':'
        for d in $CPE_HIDE; do [ -d "$d" ] && mount -t tmpfs -o size=4k,mode=000 cpe-hidden "$d"; done
        mount -t sysfs -o ro,nosuid,nodev,noexec cpe-sys /sys || exit 125
        cd "$CPE_WORK" || exit 125
        exec setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs --bounding-set=-all --inh-caps=-all --reset-env /bin/sh "$CPE_WORK/script"
        """;

    // Runs first, still in cped's namespaces: join the script's cgroup, so everything it ever starts is counted there.
    const string Outer = """
        for f in "$@"; do echo $$ > "$f" || exit 125; done
        exec unshare --mount --propagation private --pid --fork --kill-child --mount-proc --ipc --uts --net /bin/sh -c "$CPE_INNER"
        """;

    public async Task<ScriptOutcome> RunAsync(byte[] script, ScriptLimits limits, CancellationToken ct)
    {
        if (limits.Timeout <= TimeSpan.Zero || limits.Timeout > ScriptLimits.MaxTimeout)
            throw new ArgumentOutOfRangeException(nameof(limits), $"the time limit must be from 1 s to {ScriptLimits.MaxTimeout.TotalSeconds:0} s");
        string name = $"cpe-script-{Environment.ProcessId}-{Interlocked.Increment(ref _runs)}";
        string work = Path.Combine(workRoot, name);
        Directory.CreateDirectory(work);
        using var cgroup = new ScriptCgroup(cgroupRoot, name, limits.MemoryBytes, limits.MaxProcesses);
        try
        {
            string path = Path.Combine(work, "script");
            await File.WriteAllBytesAsync(path, script, ct);
            File.SetUnixFileMode(path, UnixFileMode.UserRead);
            File.SetUnixFileMode(work, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Chown(work, path);
            return await RunConfinedAsync(work, cgroup, limits.Timeout, ct);
        }
        finally
        {
            await cgroup.KillAllAsync();
            Directory.Delete(work, recursive: true);
        }
    }

    async Task<ScriptOutcome> RunConfinedAsync(string work, ScriptCgroup cgroup, TimeSpan timeout, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var a in new[] { "-c", Outer, "cpe-script" }.Concat(cgroup.ProcsFiles)) psi.ArgumentList.Add(a);
        psi.Environment.Clear();
        psi.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        psi.Environment["CPE_INNER"] = Inner;
        psi.Environment["CPE_WORK"] = work;
        psi.Environment["CPE_HIDE"] = string.Join(':', hiddenPaths);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var output = new TailBuffer(MaxOutput);
        var readOut = PumpAsync(process.StandardOutput, output);
        var readErr = PumpAsync(process.StandardError, output);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        bool timedOut = false;
        try { await process.WaitForExitAsync(deadline.Token); }
        catch (OperationCanceledException)
        {
            timedOut = !ct.IsCancellationRequested;
            await cgroup.KillAllAsync();
            await process.WaitForExitAsync(CancellationToken.None);
            ct.ThrowIfCancellationRequested();
        }
        await Task.WhenAll(readOut, readErr);
        return new ScriptOutcome(timedOut ? null : process.ExitCode, timedOut, output.ToString(), clock.Elapsed);
    }

    static async Task PumpAsync(StreamReader reader, TailBuffer into)
    {
        var buffer = new char[1024];
        int n;
        while ((n = await reader.ReadAsync(buffer)) > 0) into.Append(buffer.AsSpan(0, n));
    }

    static void Chown(params string[] paths)
    {
        foreach (var p in paths) Cpe.Interop.Files.Chown(p, Nobody, Nobody);
    }

    /// <summary>The last <c>capacity</c> characters written by either stream, in arrival order.</summary>
    sealed class TailBuffer(int capacity)
    {
        readonly StringBuilder _text = new();

        public void Append(ReadOnlySpan<char> chars)
        {
            lock (_text)
            {
                _text.Append(chars);
                if (_text.Length > capacity) _text.Remove(0, _text.Length - capacity);
            }
        }

        public override string ToString() { lock (_text) return _text.ToString(); }
    }
}
