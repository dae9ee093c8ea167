using Cpe.Vnf.Packages;
using Cpe.Vnf.Runtime;

namespace Cpe.Vnf.Supervision;

/// <summary>Where a VNF instance is in its life (docs/reference/vnf-supervisor.md).</summary>
public enum VnfState { Installing, Starting, Running, Unhealthy, Stopping, Stopped, Failed }

/// <summary>How a run of the VNF ended: an exit code or a signal, and why (crashed, unhealthy, stopped, launch failed).</summary>
public sealed record VnfExit(int? Code, int? Signal, string Reason, DateTimeOffset At)
{
    public bool Clean => Code == 0;

    public override string ToString() => (Code, Signal) switch
    {
        (int c, _) => $"exit {c} ({Reason})",
        (_, int s) => $"signal {s} ({Reason})",
        _ => Reason,
    };
}

/// <summary>What <see cref="VnfSupervisor.Status"/> reports for one instance.</summary>
public sealed record VnfStatus(
    string Instance,
    VnfState State,
    int? Pid,
    int Restarts,
    VnfExit? LastExit,
    DateTimeOffset Since,
    string? Message,
    CgroupUsage? Usage);

/// <summary>Something the platform logs, shows as an event, or turns into an alarm (kind "crash-loop" raises, "recovered" clears).</summary>
public sealed record VnfEvent(string Instance, string Kind, string Text);

/// <summary>What the supervisor needs to run one instance: its bundle (config.json and rootfs), the descriptor's policies.</summary>
public sealed record VnfLaunch(string Instance, string Bundle, RestartPolicy Restart, HealthCheck? Health, string? NetworkNamespace);

/// <summary>
/// How the supervisor runs VNFs: the launcher, where instance state lives, the cgroup root, and the restart rules:
/// backoff from <see cref="InitialBackoff"/> doubling to <see cref="MaxBackoff"/>; a run that lasted
/// <see cref="StableAfter"/> resets it; <see cref="CrashLoopLimit"/> short runs in a row are a crash loop.
/// </summary>
public sealed record SupervisorOptions(
    string Runtime,
    string StateRoot,
    string CgroupRoot,
    TimeSpan InitialBackoff,
    TimeSpan MaxBackoff,
    TimeSpan StableAfter,
    int CrashLoopLimit,
    TimeSpan StopGrace,
    long LogLimit)
{
    public static SupervisorOptions Defaults(string runtime, string stateRoot, string cgroupRoot = "/sys/fs/cgroup") =>
        new(runtime, stateRoot, cgroupRoot, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), 5, TimeSpan.FromSeconds(10), 1 << 20);
}
