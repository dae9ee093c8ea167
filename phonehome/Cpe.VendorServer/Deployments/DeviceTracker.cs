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
public sealed record Before(string OsVersion, long FleetRevision, string[] Alarms)
{
    /// <summary>The package version each package's VNF instances ran (one per package name); null from a box without VNFs.</summary>
    public VnfVersion[]? Vnfs { get; init; }

    /// <summary>The service chains that passed traffic; null from a box that did not report chains.</summary>
    public string[]? PassingChains { get; init; }

    public static Before From(CheckInRequest r) => new(r.OsVersion, r.FleetRevision, r.Alarms)
    {
        Vnfs = r.Vnfs?.Instances.Select(i => VnfPackageReference.Split(i.Package)).DistinctBy(v => v.Name).Select(v => new VnfVersion(v.Name, v.Version)).ToArray(),
        PassingChains = r.Vnfs?.Chains?.Where(c => c.Passing).Select(c => c.Name).ToArray(),
    };
}

/// <summary>What a device reported at its check-in, plus the last install report it sent since.</summary>
public sealed record DeviceReport(string OsVersion, long FleetRevision, bool FleetUnconfirmed, FleetRefusal? Refused, FirmwareFailure? FirmwareFailure,
    SoftwareReport? Software, string[] Alarms)
{
    public InstallReport? Install { get; init; }
    public VnfReport? Vnfs { get; init; }
    public VnfFailure[]? VnfFailures { get; init; }

    public static DeviceReport From(CheckInRequest r) =>
        new(r.OsVersion, r.FleetRevision, r.FleetUnconfirmed, r.LastRefused, r.FirmwareFailure, r.Software, r.Alarms) { Vnfs = r.Vnfs, VnfFailures = r.VnfFailures };
}

/// <summary>What the device should end up running: a firmware version, a fleet configuration revision (or newer), VNF package versions.</summary>
public sealed record Goal(string? FirmwareVersion, long? ConfigRevision, VnfVersion[]? Vnfs = null)
{
    /// <summary>The device runs it: the firmware booted and marked good, the configuration applied and confirmed.</summary>
    public string? Missing(DeviceReport r)
    {
        if (FirmwareVersion is string v && r.OsVersion != v) return $"runs firmware {r.OsVersion}, not {v}";
        if (FirmwareVersion is not null && r.Software is { Health: not "good" } s) return $"firmware {r.OsVersion} in slot {s.BootedSlot} is {s.Health}, not yet marked good";
        if (ConfigRevision is long c && r.FleetRevision < c) return $"runs fleet revision {r.FleetRevision}, not {c}";
        if (ConfigRevision is not null && r.FleetUnconfirmed) return $"fleet revision {r.FleetRevision} is not confirmed yet";
        foreach (var p in Vnfs ?? [])
        {
            if (r.Vnfs is not { } box) return $"reports no VNFs, not {p.Reference} (no VNF runtime, or an agent without VNF updates)";
            if (!box.Packages.Contains(p.Reference)) return $"has no VNF package {p.Reference} yet";
            foreach (var i in box.Instances.Where(i => VnfPackageReference.Split(i.Package).Name == p.Name))
            {
                if (i.Package != p.Reference) return $"VNF {i.Instance} runs {i.Package}, not {p.Reference}";
                if (i.State is "failed" or "unhealthy") return $"VNF {i.Instance} ({p.Reference}) is {i.State}";
            }
            if (box.Unconfirmed) return "the switch of its VNFs is not confirmed yet";
        }
        return null;
    }

    /// <summary>The version the box gave up on among this goal's VNF packages, newest last; null when none.</summary>
    public VnfFailure? VnfFailure(DeviceReport r) =>
        Vnfs is { } vnfs ? r.VnfFailures?.LastOrDefault(f => vnfs.Any(v => v.Name == f.Name && v.Version == f.Version)) : null;

    /// <summary>A VNF instance that runs one of this goal's package versions and failed (its crash loop): the update broke it, whatever the stage.</summary>
    public string? BrokenVnf(DeviceReport r) =>
        Vnfs is { } vnfs && r.Vnfs?.Instances.FirstOrDefault(i => i.State == "failed" && vnfs.Any(v => v.Reference == i.Package)) is { } broken
            ? $"VNF {broken.Instance} ({broken.Package}) is failed" : null;
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
        if (goal.VnfFailure(r) is { } vnf)
            return m with { State = DeviceStates.Failed, Reason = prefix + $"VNF package {vnf.Name}:{vnf.Version} given up: {vnf.Reason}" };
        if (m.State != DeviceStates.Verifying && goal.BrokenVnf(r) is string broken) return m with { State = DeviceStates.Failed, Reason = prefix + broken };
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

    /// <summary>Why a device that runs the new versions is not healthy: an alarm it did not have before, or a service chain that passed traffic and no longer does.</summary>
    public static string? Unhealthy(Before? before, DeviceReport r, DeploymentSpec spec)
    {
        foreach (var chain in r.Vnfs?.Chains ?? [])
            if (!chain.Passing && (before?.PassingChains is not { } passed || passed.Contains(chain.Name)))
                return $"service chain {chain.Name} does not pass traffic: {chain.Why}";
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
