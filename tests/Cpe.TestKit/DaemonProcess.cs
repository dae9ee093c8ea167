using System.Diagnostics;
using Cpe.Api;
using Cpe.Interop;

namespace Cpe.TestKit;

/// <summary>
/// A real cped in a temporary state folder, in its own UTS namespace (unshare -u) so its host
/// name changes stay inside. Removes the folder on dispose unless asked to keep it.
/// </summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    public string StateDirectory { get; }
    public string SocketPath { get; }
    public Process Process { get; private set; } = null!;
    public string LogPath => Path.Combine(StateDirectory, "cped.log");
    readonly string _binary;
    readonly bool _ownsDirectory;

    // A test host that dies with daemons running must not leave them behind.
    static readonly List<Process> Running = [];
    static DaemonProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        lock (Running) foreach (var p in Running) try { if (!p.HasExited) p.Kill(); } catch (InvalidOperationException) { }
    };

    public DaemonProcess(string? stateDirectory = null, string? binary = null)
    {
        _ownsDirectory = stateDirectory is null;
        StateDirectory = stateDirectory ?? System.IO.Directory.CreateTempSubdirectory("cpe-test-").FullName;
        SocketPath = Path.Combine(StateDirectory, "api.sock");
        _binary = binary ?? Binaries.Cped;
    }

    /// <summary>The network namespace cped runs in (the simulated board's box), or null for the test's own.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>The board profile passed with --board; without one, cped manages no network.</summary>
    public string? BoardProfile { get; init; }

    /// <summary>More of cped's options, e.g. ["--phonehome-user", "nobody"].</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>Starts cped and waits until its API answers; returns the time that took.</summary>
    public async Task<TimeSpan> StartAsync(TimeSpan? timeout = null)
    {
        var started = Stopwatch.StartNew();
        string[] cped = [_binary, "--state-dir", StateDirectory, "--socket", SocketPath, .. BoardProfile is null ? [] : new[] { "--board", BoardProfile }, .. ExtraArguments];
        // nsenter and unshare both exec in place, so the pid stays cped's own.
        string[] args = NetworkNamespace is null ? ["-u", "--", .. cped] : ["--net=/run/netns/" + NetworkNamespace, "--", "unshare", "-u", "--", .. cped];
        var psi = new ProcessStartInfo(NetworkNamespace is null ? "unshare" : "nsenter", args)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        Process = Process.Start(psi)!;
        lock (Running) Running.Add(Process);
        var log = File.AppendText(LogPath);
        log.AutoFlush = true;
        Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        Process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        Process.BeginErrorReadLine();
        Process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            if (Process.HasExited) throw new InvalidOperationException($"cped exited with {Process.ExitCode} during start:\n{Log()}");
            try
            {
                await using var api = await ApiClient.ConnectAsync(SocketPath, "test");
                await api.VersionAsync();
                return started.Elapsed;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(2);
            }
        }
    }

    public Task<ApiClient> ConnectAsync(string client = "test") => ApiClient.ConnectAsync(SocketPath, client);

    /// <summary>
    /// SIGTERM, then the exit code. A cped that has not stopped within the timeout is killed (SIGKILL) and the stop
    /// reported through <see cref="StopTimedOut"/> and the exit code 137: a slow stop is a finding, not a crash of the
    /// test or benchmark that asked for it.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (Process.HasExited) return Process.ExitCode;
        // unshare execs cped in place, so the pid is cped's own.
        Signals.Terminate(Process.Id);
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        var exited = Process.WaitForExitAsync();
        if (await Task.WhenAny(exited, Task.Delay(limit)) != exited)
        {
            StopTimedOut = true;
            File.AppendAllText(LogPath, $"test kit: cped did not stop within {limit.TotalSeconds} s of SIGTERM; killed\n");
            await KillAsync();
            return 137;
        }
        return Process.ExitCode;
    }

    /// <summary>True once a stop had to kill cped because SIGTERM did not end it in time.</summary>
    public bool StopTimedOut { get; private set; }

    /// <summary>SIGKILL: a crash or power cut as the store sees it.</summary>
    public async Task KillAsync()
    {
        if (Process.HasExited) return;
        Process.Kill();
        await Process.WaitForExitAsync();
    }

    public long ResidentKilobytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Process.Id}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0]);
        return -1;
    }

    /// <summary>The host name as cped's UTS namespace sees it.</summary>
    public string KernelHostName() =>
        Command.Run("nsenter", ["-t", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "-u", "cat", "/proc/sys/kernel/hostname"]).Trim();

    public string Log() { try { using var f = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite); return new StreamReader(f).ReadToEnd(); } catch (IOException) { return ""; } }

    public async ValueTask DisposeAsync()
    {
        if (Process is not null)
        {
            if (!Process.HasExited) await KillAsync();
            lock (Running) Running.Remove(Process);
            Process.Dispose();
        }
        if (_ownsDirectory) try { System.IO.Directory.Delete(StateDirectory, recursive: true); } catch (IOException) { }
    }
}
