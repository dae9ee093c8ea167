using Cpe.TestKit;
using Cpe.Vnf.Runtime;
using Cpe.Vnf.Supervision;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>
/// The supervisor with the real launcher and busybox VNFs: crashes restarted with growing backoff until a crash loop
/// is declared, an unhealthy VNF restarted, a healthy one left alone, a VNF adopted (same PID, not started twice) by a
/// new supervisor after the old one let go of it, and a stop that escalates to SIGKILL of the cgroup.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class SupervisorTests : IAsyncLifetime
{
    readonly TempFolder _dir = new("cpe-vnf-sup-");
    readonly TestNamespace _net = new();
    readonly List<VnfEvent> _events = [];
    readonly string _id = "s" + Guid.NewGuid().ToString("N")[..10];
    VnfSupervisor _supervisor = null!;

    SupervisorOptions Options => new(Binaries.Runtime, _dir["state"], "/sys/fs/cgroup", TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(800),
        TimeSpan.FromSeconds(3), CrashLoopLimit: 4, StopGrace: TimeSpan.FromMilliseconds(500), LogLimit: 4096);

    public Task InitializeAsync()
    {
        _net.Ip("link", "set", "lo", "up");
        _supervisor = new VnfSupervisor(Options, e => { lock (_events) _events.Add(e); });
        return Task.CompletedTask;
    }

    VnfLaunch Launch(string script, IReadOnlyDictionary<string, string>? labels = null)
    {
        string bundle = _dir["bundle"];
        var (_, descriptor) = BusyboxVnf.Write(bundle, _id, script, _net.Path, labels);
        return new VnfLaunch(_id, bundle, descriptor.Restart, descriptor.Health, _net.Path);
    }

    List<string> Kinds() { lock (_events) return _events.Select(e => e.Kind).ToList(); }

    VnfStatus Status() => Assert.Single(_supervisor.Status());

    async Task<VnfStatus> WaitForAsync(Func<VnfStatus, bool> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition(Status()))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"status now: {Status()}; events: {string.Join(" | ", _events.Select(e => e.Text))}");
            await Task.Delay(20);
        }
        return Status();
    }

    [Fact]
    public async Task A_crashing_vnf_is_restarted_with_growing_backoff_and_a_crash_loop_stops_it_with_an_event()
    {
        await _supervisor.StartAsync(Launch("echo start $(/bin/busybox cut -d' ' -f1 /proc/uptime); exit 3"));
        var failed = await WaitForAsync(s => s.State == VnfState.Failed);
        Assert.Equal(3, failed.Restarts);                                   // 4 runs: the first and 3 restarts
        Assert.True(failed.LastExit!.Code == 3, $"last exit: {failed.LastExit}; message: {failed.Message}; events: {string.Join(" | ", _events.Select(e => e.Text))}");
        Assert.Contains("crash loop: 4 runs in a row", failed.Message);
        Assert.Equal(1, Kinds().Count(k => k == "crash-loop"));
        // The starts' times (uptime, 10 ms steps): each gap holds at least its backoff (200, 400, 800 ms, doubling),
        // plus a launch, whose time varies with the machine's load.
        var starts = File.ReadAllLines(_supervisor.LogFile(_id)!).Select(l => (long)(double.Parse(l.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) * 1000)).ToList();
        Assert.Equal(4, starts.Count);
        var gaps = starts.Zip(starts.Skip(1), (a, b) => b - a).ToList();
        Assert.True(gaps[0] >= 190 && gaps[1] >= 390 && gaps[2] >= 790, string.Join(", ", gaps));
        Assert.False(new Cgroup("/sys/fs/cgroup", $"{BusyboxVnf.CgroupParent}/{_id}").Exists);
    }

    [Fact]
    public async Task An_unhealthy_vnf_is_restarted_and_a_healthy_one_is_left_alone()
    {
        var health = new Dictionary<string, string>
        {
            ["org.cpe.vnf.health"] = "tcp:8080", ["org.cpe.vnf.health.interval"] = "500ms", ["org.cpe.vnf.health.timeout"] = "500ms",
            ["org.cpe.vnf.health.retries"] = "2", ["org.cpe.vnf.health.start-period"] = "300ms",
        };
        // A web server on 8080 that serves its own root: every HTTP check gets 200 for /bin/busybox.
        var http = new Dictionary<string, string>(health) { ["org.cpe.vnf.health"] = "http:8080/bin/busybox" };
        await _supervisor.StartAsync(Launch("exec /bin/busybox httpd -f -p 8080 -h /", http));
        var first = await WaitForAsync(s => s.State == VnfState.Running);
        await Task.Delay(2000);                                              // several healthy checks
        Assert.Equal((VnfState.Running, first.Pid, 0), (Status().State, Status().Pid, Status().Restarts));
        Assert.DoesNotContain("unhealthy", Kinds());

        // Now a VNF that never listens: unhealthy after start-period + 2 failed checks, then restarted.
        await _supervisor.StopAsync(_id);
        await _supervisor.StartAsync(Launch("exec /bin/busybox sleep 600", health));
        var restarted = await WaitForAsync(s => s.Restarts >= 1);
        Assert.Contains("unhealthy", Kinds());
        Assert.Equal("unhealthy", restarted.LastExit!.Reason);
        Assert.Equal(9, restarted.LastExit.Signal);                          // sleep as PID 1 ignores SIGTERM: killed after the grace
    }

    [Fact]
    public async Task An_exec_health_check_runs_inside_the_vnf_and_its_failure_restarts_it()
    {
        // Each check starts two processes (cpe-runtime exec and its stage inside the VNF): a second is plenty.
        var check = new Dictionary<string, string>
        {
            ["org.cpe.vnf.health.interval"] = "1s", ["org.cpe.vnf.health.timeout"] = "1s",
            ["org.cpe.vnf.health.retries"] = "2", ["org.cpe.vnf.health.start-period"] = "200ms",
        };
        // Healthy while the VNF's own /tmp/ok exists (the command sees the VNF's mount namespace, not ours).
        check["org.cpe.vnf.health"] = "exec:/bin/busybox test -e /tmp/ok";
        await _supervisor.StartAsync(Launch("/bin/busybox touch /tmp/ok; /bin/busybox sleep 4; /bin/busybox rm /tmp/ok; exec /bin/busybox sleep 600", check));
        var first = await WaitForAsync(s => s.State == VnfState.Running);
        await Task.Delay(3000);
        Assert.Equal((first.Pid, 0), (Status().Pid, Status().Restarts));
        var restarted = await WaitForAsync(s => s.Restarts >= 1);
        Assert.Equal("unhealthy", restarted.LastExit!.Reason);
        Assert.Contains(_events, e => e.Kind == "unhealthy" && e.Text.Contains("exec /bin/busybox test -e /tmp/ok"));
    }

    [Fact]
    public async Task A_new_supervisor_adopts_a_running_vnf_with_the_same_pid_and_never_starts_it_twice()
    {
        await _supervisor.StartAsync(Launch("echo started; exec /bin/busybox sleep 600"));
        int pid = (await WaitForAsync(s => s.State == VnfState.Running)).Pid!.Value;
        await _supervisor.DisposeAsync();                                    // cped going away: the VNF runs on
        Assert.True(Directory.Exists($"/proc/{pid}"));

        _supervisor = new VnfSupervisor(Options, e => { lock (_events) _events.Add(e); });
        await _supervisor.StartAsync(Launch("echo started; exec /bin/busybox sleep 600"));
        var adopted = await WaitForAsync(s => s.State == VnfState.Running);
        Assert.True(pid == adopted.Pid, string.Join(" | ", _events.Select(e => e.Text)));
        Assert.Contains("adopted", Kinds());
        Assert.Equal(["started"], File.ReadAllLines(_supervisor.LogFile(_id)!));
        Assert.True(adopted.Usage!.Processes >= 1);

        // Stopping it: SIGTERM is ignored by sleep as PID 1, so the cgroup is killed after the grace period.
        await _supervisor.StopAsync(_id);
        Assert.False(Directory.Exists($"/proc/{pid}"));
        Assert.Empty(_supervisor.Status());
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _supervisor.Status()) await _supervisor.StopAsync(s.Instance);
        await BusyboxVnf.RemoveCgroupAsync(_id);
        _net.Dispose();
        _dir.Dispose();
    }
}
