using System.Diagnostics;
using System.Globalization;
using Cpe.Interop;
using Cpe.Vnf.Packages;
using Cpe.Vnf.Runtime;

namespace Cpe.Vnf.Supervision;

/// <summary>
/// One VNF instance's life under the supervisor (docs/reference/vnf-supervisor.md): launch (or adopt a run a previous
/// cped started), watch its monitor and its health, record how each run ended, restart by policy with backoff, and
/// stop with SIGTERM, a grace period and then SIGKILL of its whole cgroup.
/// </summary>
sealed class VnfInstance
{
    readonly VnfLaunch _launch;
    readonly SupervisorOptions _options;
    readonly Action<VnfEvent> _events;
    readonly string _stateDir;
    readonly Cgroup _cgroup;
    readonly CancellationTokenSource _stop = new(), _abandon = new();
    readonly object _gate = new();
    Task _loop = Task.CompletedTask;
    VnfState _state = VnfState.Starting;
    int? _pid;
    int _restarts;
    VnfExit? _lastExit;
    DateTimeOffset _since = DateTimeOffset.UtcNow;
    string? _message;

    public VnfInstance(VnfLaunch launch, SupervisorOptions options, Action<VnfEvent> events)
    {
        _launch = launch;
        _options = options;
        _events = events;
        _stateDir = Path.Combine(options.StateRoot, launch.Instance);
        _cgroup = new Cgroup(options.CgroupRoot, BundleWriter.Read(launch.Bundle).Linux.CgroupsPath);
    }

    public VnfLaunch Launch => _launch;
    public string LogFile => Path.Combine(_stateDir, "vnf.log");

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Stops the VNF and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        await _loop;
    }

    /// <summary>Lets go of the VNF without stopping it (cped shutting down): the next cped adopts it.</summary>
    public async Task AbandonAsync()
    {
        _abandon.Cancel();
        try { await _loop; } catch (OperationCanceledException) { }
    }

    public VnfStatus Status()
    {
        CgroupUsage? usage = null;
        try { if (_cgroup.Exists) usage = _cgroup.Usage(); } catch (IOException) { } catch (FormatException) { }
        lock (_gate) return new VnfStatus(_launch.Instance, _state, _pid, _restarts, _lastExit, _since, _message, usage);
    }

    void Set(VnfState state, int? pid, string? message, string? eventKind = null)
    {
        lock (_gate)
        {
            if (_state == state && _pid == pid && _message == message && eventKind is null) return;
            (_state, _pid, _message, _since) = (state, pid, message, DateTimeOffset.UtcNow);
        }
        _events(new VnfEvent(_launch.Instance, eventKind ?? state.ToString().ToLowerInvariant(),
            $"{_launch.Instance}: {state.ToString().ToLowerInvariant()}{(pid is int p ? $" (pid {p})" : "")}{(message is null ? "" : $": {message}")}"));
    }

    async Task RunAsync()
    {
        int failures = 0;
        var monitor = TryAdopt();
        while (true)
        {
            var started = DateTimeOffset.UtcNow;
            if (monitor is null)
            {
                Set(VnfState.Starting, null, null);
                monitor = await LaunchAsync();
            }
            VnfExit exit;
            if (monitor.FailedToLaunch is { } why) exit = new VnfExit(null, null, $"launch failed: {why}", DateTimeOffset.UtcNow);
            else if (monitor.EndedUnseen) exit = ReadExit("crashed");
            else
            {
                var outcome = await SuperviseAsync(monitor);
                if (outcome == Outcome.Abandoned) return;
                exit = ReadExit(outcome == Outcome.Unhealthy ? "unhealthy" : outcome == Outcome.Stopped ? "stopped" : "crashed");
                if (outcome == Outcome.Stopped)
                {
                    lock (_gate) _lastExit = exit;
                    Set(VnfState.Stopped, null, exit.ToString());
                    return;
                }
            }
            monitor = null;
            lock (_gate) _lastExit = exit;
            _events(new VnfEvent(_launch.Instance, "exited", $"{_launch.Instance}: {exit}"));

            bool restart = _launch.Restart switch
            {
                RestartPolicy.Always => true,
                RestartPolicy.OnFailure => !exit.Clean,
                _ => false,
            };
            if (!restart)
            {
                Set(exit.Clean ? VnfState.Stopped : VnfState.Failed, null, exit.ToString());
                return;
            }
            if (DateTimeOffset.UtcNow - started >= _options.StableAfter) failures = 0;
            if (++failures >= _options.CrashLoopLimit)
            {
                Set(VnfState.Failed, null, $"crash loop: {failures} runs in a row ended within {_options.StableAfter.TotalSeconds:0.#} s; last {exit}", "crash-loop");
                return;
            }
            var delay = TimeSpan.FromTicks(Math.Min(_options.MaxBackoff.Ticks, _options.InitialBackoff.Ticks << Math.Min(failures - 1, 30)));
            lock (_gate) _restarts++;
            Set(VnfState.Starting, null, $"restarting in {delay.TotalMilliseconds:0} ms after {exit}", "restarting");
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _abandon.Token);
            try { await Task.Delay(delay, waiting.Token); }
            catch (OperationCanceledException)
            {
                if (_abandon.IsCancellationRequested) return;
                Set(VnfState.Stopped, null, exit.ToString());
                return;
            }
        }
    }

    enum Outcome { Exited, Unhealthy, Stopped, Abandoned }

    async Task<Outcome> SuperviseAsync(Monitor monitor)
    {
        int pid = monitor.VnfPid;
        Set(VnfState.Running, pid, null);
        using var unhealthy = new CancellationTokenSource();
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _abandon.Token, unhealthy.Token);
        var health = _launch.Health is { } check ? WatchHealthAsync(check, pid, unhealthy, watching.Token) : Task.CompletedTask;
        try { await monitor.Exited.WaitAsync(watching.Token); }
        catch (OperationCanceledException) { }
        if (_abandon.IsCancellationRequested) return Outcome.Abandoned;
        var outcome = _stop.IsCancellationRequested ? Outcome.Stopped : unhealthy.IsCancellationRequested ? Outcome.Unhealthy : Outcome.Exited;
        if (outcome != Outcome.Exited)
        {
            if (outcome == Outcome.Stopped) Set(VnfState.Stopping, pid, null);
            await TerminateAsync(pid, monitor);
        }
        watching.Cancel();
        try { await health; } catch (OperationCanceledException) { }
        return outcome;
    }

    async Task WatchHealthAsync(HealthCheck check, int pid, CancellationTokenSource unhealthy, CancellationToken ct)
    {
        await Task.Delay(check.StartPeriod, ct);
        int failed = 0;
        while (!ct.IsCancellationRequested)
        {
            string? problem = await HealthProbe.CheckAsync(check, _launch, pid, _options, ct);
            failed = problem is null ? 0 : failed + 1;
            if (failed >= check.Retries)
            {
                Set(VnfState.Unhealthy, pid, $"{check.Kind.ToString().ToLowerInvariant()} {check.Target}: {problem} ({failed} times)", "unhealthy");
                unhealthy.Cancel();
                return;
            }
            await Task.Delay(check.Interval, ct);
        }
    }

    /// <summary>SIGTERM to the VNF, the grace period, then SIGKILL of everything in its cgroup; returns when its monitor is gone.</summary>
    async Task TerminateAsync(int pid, Monitor monitor)
    {
        Signals.Terminate(pid);
        try { await monitor.Exited.WaitAsync(_options.StopGrace); }
        catch (TimeoutException)
        {
            await _cgroup.KillAllAsync(TimeSpan.FromSeconds(10));
            await monitor.Exited.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>
    /// A monitor: the VNF's PID and when the monitor ended; or why the launch failed; or that the VNF ran and ended
    /// before its monitor saw it in its cgroup (no PID was published, but the monitor recorded how it ended).
    /// </summary>
    sealed record Monitor(int VnfPid, Task Exited, string? FailedToLaunch = null, bool EndedUnseen = false);

    async Task<Monitor> LaunchAsync()
    {
        Directory.CreateDirectory(_stateDir);
        foreach (var f in new[] { "pid", "exit", "monitor" }) File.Delete(Path.Combine(_stateDir, f));
        // A VNF whose monitor died (killed with cped's whole process group, say) is still in its cgroup: never two.
        if (_cgroup.Exists && _cgroup.Processes().Count > 0) await _cgroup.KillAllAsync(TimeSpan.FromSeconds(10));
        var psi = new ProcessStartInfo(_options.Runtime) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in new[] { "run", "--bundle", _launch.Bundle, "--state", _stateDir, "--log", LogFile, "--log-limit", $"{_options.LogLimit}",
                     "--cgroup-root", _options.CgroupRoot, _launch.Instance })
            psi.ArgumentList.Add(a);
        var child = Process.Start(psi)!;
        File.WriteAllText(Path.Combine(_stateDir, "monitor"), child.Id.ToString(CultureInfo.InvariantCulture));
        var errors = child.StandardError.ReadToEndAsync();
        var exited = child.WaitForExitAsync().ContinueWith(_ => child.Dispose(), TaskScheduler.Default);
        string pidFile = Path.Combine(_stateDir, "pid");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(pidFile))
        {
            if (exited.IsCompleted)
            {
                // The monitor writes the exit file before it ends: a VNF that exited at once (under load, before the
                // monitor saw it join its cgroup and published its PID) was a run that ended, not a launch that failed.
                if (File.Exists(Path.Combine(_stateDir, "exit"))) return new Monitor(0, exited, EndedUnseen: true);
                return new Monitor(0, exited, (await errors).Trim() is { Length: > 0 } e ? e : "the launcher exited");
            }
            if (DateTime.UtcNow > deadline) return new Monitor(0, exited, "the launcher did not start the VNF in 10 s");
            await Task.Delay(10);
        }
        return new Monitor(int.Parse(File.ReadAllText(pidFile), CultureInfo.InvariantCulture), exited);
    }

    /// <summary>A run a previous cped started whose monitor still lives: watched through a pidfd, never started twice.</summary>
    Monitor? TryAdopt()
    {
        try
        {
            int monitorPid = int.Parse(File.ReadAllText(Path.Combine(_stateDir, "monitor")), CultureInfo.InvariantCulture);
            int vnfPid = int.Parse(File.ReadAllText(Path.Combine(_stateDir, "pid")), CultureInfo.InvariantCulture);
            // The PID could have been reused since: it must still be our launcher running this instance.
            var cmdline = File.ReadAllText($"/proc/{monitorPid}/cmdline").Split('\0');
            if (!cmdline.Contains("run") || !cmdline.Contains(_launch.Instance) || Path.GetFileName(cmdline[0]) != Path.GetFileName(_options.Runtime)) return null;
            if (!_cgroup.Processes().Contains(vnfPid)) return null;
            _events(new VnfEvent(_launch.Instance, "adopted", $"{_launch.Instance}: adopted running VNF pid {vnfPid} (monitor {monitorPid})"));
            return new Monitor(vnfPid, ProcessExit.WaitAsync(monitorPid, _abandon.Token));
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException) { return null; }
    }

    VnfExit ReadExit(string reason)
    {
        string file = Path.Combine(_stateDir, "exit");
        string first = File.Exists(file) ? File.ReadLines(file).FirstOrDefault() ?? "" : "";
        var parts = first.Split(' ');
        int? number = parts.Length == 2 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out int n) ? n : null;
        return parts[0] switch
        {
            "exit" => new VnfExit(number, null, reason, DateTimeOffset.UtcNow),
            "signal" => new VnfExit(null, number, reason, DateTimeOffset.UtcNow),
            _ => new VnfExit(null, null, $"{reason}, exit status unknown (its monitor ended without recording it)", DateTimeOffset.UtcNow),
        };
    }
}
