using Cpe.Sztp;

namespace Cpe.VendorServer.Deployments;

/// <summary>A device's state in a deployment (docs/reference/vendor-admin-api.md, "Device states").</summary>
public static class DeviceStates
{
    public const string Pending = "pending", Scheduled = "scheduled", Downloading = "downloading", Installing = "installing", Rebooting = "rebooting",
        Verifying = "verifying", Succeeded = "succeeded", Failed = "failed", FellBack = "fell-back", AlreadyCurrent = "already-current",
        Skipped = "skipped", Cancelled = "cancelled", RollingBack = "rolling-back", RolledBack = "rolled-back";

    public static readonly string[] All = [Pending, Scheduled, Downloading, Installing, Rebooting, Verifying, Succeeded, Failed, FellBack,
        AlreadyCurrent, Skipped, Cancelled, RollingBack, RolledBack];

    /// <summary>Started and not finished: the device is told the deployment's versions (or, rolling back, its old ones).</summary>
    public static bool InProgress(string s) => s is Downloading or Installing or Rebooting or Verifying or RollingBack;

    /// <summary>Nothing more happens to the device in this deployment.</summary>
    public static bool Finished(string s) => s is Succeeded or Failed or FellBack or AlreadyCurrent or Skipped or Cancelled or RolledBack;

    /// <summary>What the error threshold counts.</summary>
    public static bool Failure(string s) => s is Failed or FellBack;
}

/// <summary>What the device ran when it started the deployment: what a rollback puts back, and the alarms it already had.</summary>
public sealed record Before(string OsVersion, long FleetRevision, string[] Alarms);

/// <summary>What a device reported at its check-in, plus the last install report it sent since.</summary>
public sealed record DeviceReport(string OsVersion, long FleetRevision, bool FleetUnconfirmed, FleetRefusal? Refused, FirmwareFailure? FirmwareFailure,
    SoftwareReport? Software, string[] Alarms)
{
    public InstallReport? Install { get; init; }

    public static DeviceReport From(CheckInRequest r) =>
        new(r.OsVersion, r.FleetRevision, r.FleetUnconfirmed, r.LastRefused, r.FirmwareFailure, r.Software, r.Alarms);
}

/// <summary>What the device should end up running: a firmware version and/or a fleet configuration revision (or newer).</summary>
public sealed record Goal(string? FirmwareVersion, long? ConfigRevision)
{
    /// <summary>The device runs it: the firmware booted and marked good, the configuration applied and confirmed.</summary>
    public string? Missing(DeviceReport r)
    {
        if (FirmwareVersion is string v && r.OsVersion != v) return $"runs firmware {r.OsVersion}, not {v}";
        if (FirmwareVersion is not null && r.Software is { Health: not "good" } s) return $"firmware {r.OsVersion} in slot {s.BootedSlot} is {s.Health}, not yet marked good";
        if (ConfigRevision is long c && r.FleetRevision < c) return $"runs fleet revision {r.FleetRevision}, not {c}";
        if (ConfigRevision is not null && r.FleetUnconfirmed) return $"fleet revision {r.FleetRevision} is not confirmed yet";
        return null;
    }
}

/// <summary>A device's place in a deployment: its state, why, and the times the state machine needs (the server's clock).</summary>
public sealed record MemberState(string State, string? Reason, DateTimeOffset? StartedAt, DateTimeOffset? VerifySince, Before? Before);

/// <summary>
/// The per-device state machine, run at each check-in of a device that started the deployment: the server's truth is what
/// the box reports running, never that it was told to install. Pure: the engine stores what it returns.
/// </summary>
public static class DeviceTracker
{
    /// <summary>The next state of a started device; the same state when nothing changed.</summary>
    public static MemberState Next(MemberState m, Goal goal, DeviceReport r, TimeSpan bake, DeploymentSpec spec, DateTimeOffset now)
    {
        if (!DeviceStates.InProgress(m.State)) return m;
        bool rollingBack = m.State == DeviceStates.RollingBack;
        string prefix = rollingBack ? "rollback: " : "";
        // The box gave up on the version: refused the bundle, or fell back from it (its own record says which).
        if (goal.FirmwareVersion is string v && r.FirmwareFailure is { } f && f.Version == v)
            return m with
            {
                State = !rollingBack && f.Reason.StartsWith("fell back", StringComparison.Ordinal) ? DeviceStates.FellBack : DeviceStates.Failed,
                Reason = prefix + f.Reason,
            };
        if (goal.ConfigRevision is long c && r.Refused is { } refused && refused.Revision == c)
            return m with { State = DeviceStates.Failed, Reason = prefix + $"fleet revision {c} not kept: {refused.Reason}" };
        string? missing = goal.Missing(r);
        if (m.State == DeviceStates.Verifying)
        {
            if (missing is not null) return m with { State = DeviceStates.Failed, Reason = $"during the bake time: {missing}" };
            if (Unhealthy(m.Before, r, spec) is string sick) return m with { State = DeviceStates.Failed, Reason = $"unhealthy during the bake time: {sick}" };
            return now - m.VerifySince >= bake ? m with { State = DeviceStates.Succeeded, Reason = null } : m;
        }
        if (missing is null)
        {
            if (rollingBack) return m with { State = DeviceStates.RolledBack };   // keeps why it was rolled back
            return bake <= TimeSpan.Zero && Unhealthy(m.Before, r, spec) is null
                ? m with { State = DeviceStates.Succeeded, Reason = null, VerifySince = now }
                : m with { State = DeviceStates.Verifying, Reason = null, VerifySince = now };
        }
        if (now - m.StartedAt > TimeSpan.FromMinutes(spec.TimeoutMinutes))
            return m with { State = DeviceStates.Failed, Reason = $"{prefix}not done {spec.TimeoutMinutes} min after it started: {missing}" };
        if (rollingBack || goal.FirmwareVersion is null) return m;
        // The firmware's way there, as the box reports it: its install reports, then the reboot.
        string state = r.Install is { } install && install.Version == goal.FirmwareVersion ? InstallState(install) : m.State;
        return state == m.State ? m : m with { State = state };
    }

    /// <summary>
    /// The device state an install report stands for. cped streams the bundle into the slot: "verifying" (the bundle's
    /// signature and manifest) and "writing" are the download; "installed" means the box reboots into it next.
    /// </summary>
    public static string InstallState(InstallReport install) => install.State switch
    {
        "verifying" or "writing" => DeviceStates.Downloading,
        "installed" => DeviceStates.Rebooting,
        _ => DeviceStates.Installing,
    };

    /// <summary>Why a device that runs the new versions is not healthy: a fallback, or an alarm it did not have before.</summary>
    public static string? Unhealthy(Before? before, DeviceReport r, DeploymentSpec spec)
    {
        // "SEVERITY TYPE[ OBJECT]: text" (the check-in's alarm format); an alarm is the same one when all before the colon is.
        static string Key(string alarm) => alarm.Split(':', 2)[0];
        var old = (before?.Alarms ?? []).Select(Key).ToHashSet();
        foreach (var alarm in r.Alarms)
        {
            if (old.Contains(Key(alarm))) continue;
            var words = Key(alarm).Split(' ', 3);
            string severity = words[0], type = words.Length > 1 ? words[1] : "";
            if (severity is "major" or "critical" || spec.Unhealthy.Contains(type)) return $"alarm {alarm}";
        }
        return null;
    }
}
