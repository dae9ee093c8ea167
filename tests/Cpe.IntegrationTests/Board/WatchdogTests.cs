using System.Diagnostics;
using Cpe.Api;
using Cpe.Board.Profile;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Board;

/// <summary>
/// The watchdog on the simulated board: cped runs under "cpe-sim watchdog" (the board's watchdog and power supply),
/// with a 4 s timeout in its profile. A healthy cped pets it and is never reset; a cped whose config engine hangs
/// (the --test-hooks method debug.hang) stops petting and is killed and started again within the timeout.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class WatchdogTests : IAsyncLifetime
{
    const int TimeoutSeconds = 4;
    readonly SimBoard _sim = new(lanPorts: 1, totalVfs: 0);
    readonly TempFolder _dir = new("cpe-watchdog-");
    Process _supervisor = null!;

    string State => _dir["state"];
    string Socket => Path.Combine(State, "api.sock");
    string SupervisorLog => _dir["watchdog.log"];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(State);
        var profile = BoardProfileLoader.Load(_sim.ProfilePath) with { Watchdog = new WatchdogProfile(_dir["watchdog"], TimeoutSeconds) };
        BoardProfileLoader.Save(profile, _dir["board.json"]);
        _supervisor = Process.Start(new ProcessStartInfo(Binaries.SimBoard,
        [
            "watchdog", "--device", _dir["watchdog"], "--timeout", $"{TimeoutSeconds}", "--log", SupervisorLog, "--",
            "nsenter", "--net=/run/netns/" + _sim.Box, "--", Binaries.Cped, "--state-dir", State, "--socket", Socket, "--board", _dir["board.json"], "--test-hooks",
        ])
        { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true })!;
        _supervisor.BeginErrorReadLine();
        _supervisor.BeginOutputReadLine();
        await AnswersAsync(TimeSpan.FromSeconds(20));
    }

    public async Task DisposeAsync()
    {
        if (!_supervisor.HasExited)
        {
            Cpe.Interop.Signals.Terminate(_supervisor.Id);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try { await _supervisor.WaitForExitAsync(wait.Token); }
            catch (OperationCanceledException) { _supervisor.Kill(entireProcessTree: true); }
        }
        // Whatever the supervisor left (a hung cped ignores SIGTERM): found by its unique state folder.
        Command.Run("pkill", ["-KILL", "-f", State], check: false);
        _supervisor.Dispose();
        _sim.Dispose();
        _dir.Dispose();
    }

    async Task AnswersAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await using var api = await ApiClient.ConnectAsync(Socket, "test", attempt.Token);
                await api.VersionAsync(attempt.Token);
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline) { await Task.Delay(50); }
        }
    }

    string[] Log() => File.Exists(SupervisorLog) ? File.ReadAllLines(SupervisorLog) : [];

    [Fact]
    public async Task A_healthy_cped_is_never_reset_and_a_hung_one_is_restarted_within_the_timeout()
    {
        // Three timeouts' worth of health: armed, petted, never reset.
        await Task.Delay(TimeSpan.FromSeconds(3 * TimeoutSeconds));
        Assert.Contains(Log(), l => l.Contains($"armed: timeout {TimeoutSeconds} s", StringComparison.Ordinal));
        Assert.DoesNotContain(Log(), l => l.Contains("timeout: no keepalive", StringComparison.Ordinal));
        await using (var api = await ApiClient.ConnectAsync(Socket, "test"))
            Assert.StartsWith($"{_dir["watchdog"]}: petted (", (await api.EnvironmentAsync()).Watchdog);
        int firstPid = StartedPids().Single();

        var hung = Stopwatch.StartNew();
        await using (var api = await ApiClient.ConnectAsync(Socket, "test"))
            Assert.Contains("stuck", (await api.CallAsync(ApiMethods.DebugHang, new Empty(), ApiJsonContext.Default.Empty, ApiJsonContext.Default.OkResult)).Message);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3 * TimeoutSeconds);
        while (StartedPids().Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(StartedPids().Count == 2, string.Join('\n', Log()));
        // Petted last at most a period (timeout/3) before the hang; reset one timeout after the last keepalive.
        Assert.InRange(hung.Elapsed.TotalSeconds, TimeoutSeconds - TimeoutSeconds / 3.0 - 0.5, TimeoutSeconds + 2);
        Assert.Contains(Log(), l => l.Contains($"reset 1: killing pid {firstPid}", StringComparison.Ordinal));
        await AnswersAsync(TimeSpan.FromSeconds(20));
    }

    List<int> StartedPids() => Log().Where(l => l.Contains(" started pid ", StringComparison.Ordinal))
        .Select(l => int.Parse(l.Split(" started pid ")[1].Split(':')[0])).ToList();
}
