using System.Text;
using Cpe.Platform.Provisioning;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Platform;

/// <summary>Zero-touch scripts run confined, checked from inside the script itself with real namespaces and cgroups.</summary>
[Trait("Kind", "Integration")]
public sealed class ScriptSandboxTests : IDisposable
{
    readonly TempFolder _secrets = new("cpe-secrets-");
    readonly TempFolder _work = new("cpe-scripts-");
    readonly ScriptSandbox _sandbox;

    public ScriptSandboxTests()
    {
        File.WriteAllText(_secrets["idevid.key"], "SECRET KEY");
        File.SetUnixFileMode(_work.Path, (UnixFileMode)0b111_001_001);
        _sandbox = new ScriptSandbox("/sys/fs/cgroup", _work.Path, [_secrets.Path]);
    }

    public void Dispose()
    {
        _secrets.Dispose();
        _work.Dispose();
    }

    Task<ScriptOutcome> Run(string script, int seconds = 10) =>
        _sandbox.RunAsync(Encoding.UTF8.GetBytes(script), new ScriptLimits(TimeSpan.FromSeconds(seconds)), CancellationToken.None);

    [Fact]
    public async Task The_script_runs_as_nobody_without_capabilities_in_its_own_namespaces_and_cannot_see_the_secrets()
    {
        var outcome = await Run($"""
            echo "uid=$(id -u) pid=$$"
            grep CapEff /proc/self/status
            grep NoNewPrivs /proc/self/status
            ls /sys/class/net | tr '\n' ' '; echo
            cat {_secrets["idevid.key"]} || echo "secret hidden"
            ls -A {_secrets.Path} | wc -l
            hostname cpe-evil 2>/dev/null || echo "no hostname change"
            exit 7
            """);
        Assert.Equal(7, outcome.ExitCode);
        Assert.False(outcome.TimedOut);
        Assert.Contains("uid=65534 pid=1\n", outcome.Output);
        Assert.Contains("CapEff:\t0000000000000000", outcome.Output);
        Assert.Contains("NoNewPrivs:\t1", outcome.Output);
        Assert.Contains("\nlo \n", outcome.Output);
        Assert.Contains("secret hidden", outcome.Output);
        Assert.DoesNotContain("SECRET KEY", outcome.Output);
        Assert.Contains("no hostname change", outcome.Output);
        Assert.Equal("SECRET KEY", File.ReadAllText(_secrets["idevid.key"]));
    }

    [Fact]
    public async Task A_script_past_its_time_limit_is_killed_with_everything_it_started_and_its_cgroup_is_removed()
    {
        var outcome = await Run("sleep 300 & sleep 300 & echo started; wait", seconds: 1);
        Assert.True(outcome.TimedOut);
        Assert.Null(outcome.ExitCode);
        Assert.InRange(outcome.Duration.TotalSeconds, 0.9, 5);
        Assert.Contains("started", outcome.Output);
        Assert.Empty(CgroupsLeft());
        // None left running (a zombie waiting for its reaper is not running).
        var running = Command.Run("ps", ["-eo", "stat=,args="]).Split('\n').Where(l => !l.TrimStart().StartsWith('Z'));
        Assert.DoesNotContain(running, l => l.Contains("sleep 300", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fork_bomb_meets_the_process_limit()
    {
        var outcome = await Run("""
            (i=0; while [ $i -lt 200 ]; do sleep 30 >/dev/null 2>&1 & i=$((i+1)); done) 2>/dev/null
            n=0; for p in /proc/[0-9]*; do n=$((n+1)); done
            echo "processes $n"
            """, seconds: 3);
        // Counted with shell builtins only: at the limit, not even ls can start.
        int processes = int.Parse(System.Text.RegularExpressions.Regex.Match(outcome.Output, @"processes (\d+)").Groups[1].Value);
        Assert.InRange(processes, 10, 64);
        Assert.Empty(CgroupsLeft());
    }

    static IEnumerable<string> CgroupsLeft() =>
        new[] { "/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids", "/sys/fs/cgroup" }.Where(Directory.Exists)
            .SelectMany(d => Directory.GetDirectories(d, $"cpe-script-{Environment.ProcessId}-*"));
}
