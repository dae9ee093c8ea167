using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Cpe.Sztp;
using Cpe.VendorServer.Storage;

namespace Cpe.VendorServer.Deployments;

/// <summary>What the device's deployments want on it, on top of its fleet configuration: a configuration (or a restore), a firmware image, VNF package versions.</summary>
public sealed record DeploymentDesire(DesiredConfiguration? Configuration, FirmwareImage? Firmware, IReadOnlyList<VnfVersion> Vnfs)
{
    public static readonly DeploymentDesire None = new(null, null, []);
}

/// <summary>
/// Deployments at check-in time (docs/guides/deployments.md): a device joins the deployments that target it when it
/// checks in (never by scanning the device table), one at a time; the per-device state machine follows what it reports;
/// a device that fails runs the phase gate at once, so the deployment halts within the check-in that crossed its
/// threshold; and the gate runs every <see cref="GatePeriod"/> on each instance for bake times, promotion and devices
/// that stopped reporting. Every step is a conditional write or a transaction under the deployment's row lock, so
/// several stateless instances agree.
/// </summary>
public sealed class DeploymentEngine : IAsyncDisposable
{
    readonly ServerStore _store;
    readonly FleetSnapshot _snapshot;
    readonly TimeProvider _clock;
    readonly ILogger _log;
    readonly CancellationTokenSource _stop = new();
    readonly Task _gate;
    readonly ConcurrentDictionary<long, HashSet<string>> _serialLists = new();

    public TimeSpan GatePeriod { get; }

    public DeploymentEngine(ServerStore store, FleetSnapshot snapshot, TimeProvider clock, ILogger log, TimeSpan gatePeriod)
    {
        (_store, _snapshot, _clock, _log, GatePeriod) = (store, snapshot, clock, log, gatePeriod);
        _gate = Task.Run(GateLoopAsync);
    }

    /// <summary>A check-in: moves the device's deployments on and returns what they want on it.</summary>
    public DeploymentDesire CheckIn(string serial, DeviceFacts facts, CheckInRequest request, DateTimeOffset now)
    {
        var view = _snapshot.Current;
        if (view.Deployments.Count == 0) return DeploymentDesire.None;
        var report = DeviceReport.From(request);
        var members = _store.Memberships(serial).ToList();
        for (int i = 0; i < members.Count; i++)
            if (DeviceStates.InProgress(members[i].State) && Deployment(view, members[i].DeploymentId) is { } d)
                members[i] = Track(d, members[i], report, now);
        if (facts.State == "enrolled" && members.All(m => DeviceStates.Finished(m.State)))
            foreach (var d in view.Deployments.Where(d => d.Open && members.All(m => m.DeploymentId != d.Id) && Matches(d, serial, facts, request)))
            {
                // Already running all of it: nothing to do, and it does not take a place in a phase.
                var (state, reason) = d.Goal.Missing(report) is null ? (DeviceStates.AlreadyCurrent, "ran these versions when it joined") : JoinsAs(d);
                _store.Join(d.Id, serial, state, reason, facts.Site, now);
                members.Add(new MemberRow(d.Id, serial, null, state, reason, facts.Site, null, null, null, 0, now, now));
                if (state == DeviceStates.Pending) break;   // one deployment at a time: the next one once this one is done
            }
        for (int i = 0; i < members.Count; i++)
            if (members[i].State is DeviceStates.Pending or DeviceStates.Scheduled && Deployment(view, members[i].DeploymentId) is { } d && MayStart(d, members[i]))
            {
                var before = Before.From(request);
                var (state, reason) = _store.Release(d, serial, before, () => WindowOpens(d, facts, view, now), now);
                members[i] = members[i] with { State = state, Reason = reason, Before = DeviceStates.InProgress(state) ? before : members[i].Before };
            }
        return Desire(view, members);
    }

    /// <summary>
    /// How a device that needs the deployment joins it: pending; but when the snapshot already saw the current phase full
    /// (it never empties), waiting for the next phase, or skipped after the last, decided without the deployment's row
    /// lock, so that the devices beyond a 10 % phase do not queue on it one by one.
    /// </summary>
    internal static (string State, string? Reason) JoinsAs(DeploymentRow d)
    {
        if (!d.CurrentPhaseFull || d.Status is not (DeploymentRow.Running or DeploymentRow.Completed)) return (DeviceStates.Pending, null);
        var phases = PhasePlan.Sizes(d.Spec, d.TargetSize);
        return d.Phase >= phases.Length - 1 ? (DeviceStates.Skipped, ServerStore.BeyondLastPhase(phases[^1].Size)) : (DeviceStates.Pending, ServerStore.PhaseFull(d.Phase));
    }

    /// <summary>
    /// Whether asking to start is worth the deployment's row lock: not while it is paused, halted or cancelled, nor while
    /// the device waits for a phase the snapshot says has not started (a fleet of waiting boxes would queue on the lock).
    /// </summary>
    static bool MayStart(DeploymentRow d, MemberRow m) =>
        d.Status is DeploymentRow.Running or DeploymentRow.Completed && !(m.Phase is null && m.Reason == ServerStore.PhaseFull(d.Phase));

    /// <summary>An install report from a device (it does not check in while it installs): its bytes and state.</summary>
    public void InstallReported(string serial, InstallReport report, DateTimeOffset now)
    {
        var view = _snapshot.Current;
        foreach (var m in _store.Memberships(serial))
            if (m.State is DeviceStates.Downloading or DeviceStates.Installing or DeviceStates.Rebooting
                && Deployment(view, m.DeploymentId) is { FirmwareVersion: string version } d && version == report.Version)
                _store.Installing(d.Id, serial, DeviceTracker.InstallState(report), report.BytesDownloaded + report.BytesReused, now);
    }

    DeploymentRow? Deployment(FleetSnapshot.View view, long id) => view.Deployment(id) ?? _store.Deployment(id);

    MemberRow Track(DeploymentRow d, MemberRow m, DeviceReport report, DateTimeOffset now)
    {
        var goal = m.State == DeviceStates.RollingBack ? RollbackGoal(d, m) : d.Goal;
        var phases = PhasePlan.Sizes(d.Spec, d.TargetSize);
        var bake = TimeSpan.FromSeconds(phases[Math.Clamp(m.Phase ?? 0, 0, phases.Length - 1)].BakeSeconds);
        var next = DeviceTracker.Next(m.Tracked, goal, report, bake, d.Spec, now);
        if (next == m.Tracked || !_store.Track(d.Id, m.Serial, m.State, next, now)) return m;
        Log.DeviceMoved(_log, m.Serial, d.Id, m.State, next.State, next.Reason ?? "");
        if (DeviceStates.Failure(next.State)) Gate(d, now);   // within this check-in: the threshold may be crossed now
        return m with { State = next.State, Reason = next.Reason, VerifySince = next.VerifySince };
    }

    /// <summary>Rolling back: the firmware the device ran before (when the deployment changed it), the restore revision, and the VNF package versions its VNFs ran.</summary>
    static Goal RollbackGoal(DeploymentRow d, MemberRow m) =>
        new(d.FirmwareVersion is not null ? m.Before?.OsVersion : null, d.RollbackRevision, RollbackVnfs(d, m));

    /// <summary>For each of the deployment's packages the box's VNFs ran another version of before, that version (a package no VNF ran stays).</summary>
    static VnfVersion[]? RollbackVnfs(DeploymentRow d, MemberRow m) =>
        d.Spec.Vnfs is { } wanted && m.Before?.Vnfs is { } before
            ? [.. before.Where(b => wanted.Any(w => w.Name == b.Name && w.Version != b.Version) && b.Version.Length > 0)]
            : null;

    bool Matches(DeploymentRow d, string serial, DeviceFacts f, CheckInRequest r)
    {
        var t = d.Spec.Target;
        return (t.Group is null || t.Group == f.Group) && (t.Site is null || t.Site == f.Site) && (t.Model is null || t.Model == r.Model)
            && (t.OsVersion is null || t.OsVersion == r.OsVersion) && (t.Labels is null || t.Labels.All(f.Labels.Contains))
            && (t.Serials is null || _serialLists.GetOrAdd(d.Id, _ => new HashSet<string>(t.Serials, StringComparer.Ordinal)).Contains(serial));
    }

    /// <summary>When the device's maintenance window opens (null: it is open now), in its site's time zone or the window's default.</summary>
    static DateTimeOffset? WindowOpens(DeploymentRow d, DeviceFacts f, FleetSnapshot.View view, DateTimeOffset now)
    {
        if (d.Spec.Window is not { } w) return null;
        string zone = f.Site is string site && view.Sites.TryGetValue(site, out var z) ? z : w.DefaultTimeZone;
        return MaintenanceWindow.NextOpening(w, MaintenanceWindow.Zone(zone) ?? TimeZoneInfo.Utc, now);
    }

    /// <summary>
    /// What the device's deployments want, oldest first, a later one over an earlier: a started device is told the
    /// deployment's versions (and keeps being told after it failed, so it is never sent back and forth); a device rolled
    /// back is told its old firmware and to restore its configuration. Devices that did not start are told nothing.
    /// </summary>
    DeploymentDesire Desire(FleetSnapshot.View view, IEnumerable<MemberRow> members)
    {
        DesiredConfiguration? configuration = null;
        FirmwareImage? firmware = null;
        var vnfs = new Dictionary<string, VnfVersion>(StringComparer.Ordinal);
        foreach (var m in members)
        {
            if (Deployment(view, m.DeploymentId) is not { } d) continue;
            DesiredConfiguration? c = null;
            if (m.State is DeviceStates.RollingBack or DeviceStates.RolledBack)
            {
                if (d.FirmwareVersion is not null && m.Before?.OsVersion is string old && old != d.FirmwareVersion)
                    firmware = view.Images.Values.Where(i => i.OsVersion == old).MaxBy(i => i.UploadedAt) ?? firmware;
                if (d.RollbackRevision is long rb) c = new DesiredConfiguration(rb, "restore", []) { RestoreBefore = d.ConfigRevision };
                foreach (var v in RollbackVnfs(d, m) ?? []) vnfs[v.Name] = v;
            }
            else if (DeviceStates.InProgress(m.State) || m.State is DeviceStates.Succeeded or DeviceStates.Failed or DeviceStates.FellBack)
            {
                if (d.Spec.Firmware is string name && view.Images.TryGetValue(name, out var image)) firmware = image;
                if (d.ConfigRevision is long rev && d.Spec.Configuration is JsonObject doc) c = new DesiredConfiguration(rev, d.Spec.Handling ?? "merge", doc);
                foreach (var v in d.Spec.Vnfs ?? []) vnfs[v.Name] = v;
            }
            if (c is not null && (configuration is null || c.Revision > configuration.Revision)) configuration = c;
        }
        return new DeploymentDesire(configuration, firmware, [.. vnfs.Values]);
    }

    /// <summary>Runs the phase gate of one deployment; when it changed something, this instance reads the deployments again.</summary>
    void Gate(DeploymentRow d, DateTimeOffset now)
    {
        if (_store.Evaluate(d, now) is not string what) return;
        Log.DeploymentMoved(_log, d.Id, d.Spec.Name, what);
        _snapshot.Refresh();
    }

    async Task GateLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(GatePeriod, _clock, _stop.Token);
                foreach (var d in _snapshot.Current.Deployments.Where(d => d.Status == DeploymentRow.Running)) Gate(d, _clock.GetUtcNow());
            }
            catch (OperationCanceledException) { return; }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException) { Log.GateFailed(_log, e); }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _gate;
        _stop.Dispose();
    }
}
