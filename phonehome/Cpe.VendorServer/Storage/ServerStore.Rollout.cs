using System.Text.Json;
using Cpe.VendorServer.Deployments;

namespace Cpe.VendorServer.Storage;

// The steps that move a deployment on, each one transaction under the deployment's row lock so that several server
// instances agree: a device starting (phase room, window, rate, site downloads), the phase gate (halt or promote), and
// the operator's pause, resume and cancel.
public sealed partial class ServerStore
{
    /// <summary>
    /// The deployment's row, locked until the transaction ends (PostgreSQL; SQLite's IMMEDIATE transaction already holds
    /// the database): exclusively for the gate and the operator's controls; shared for devices starting, which then
    /// queue only on their phase's row, and only for the end of their transaction.
    /// </summary>
    static (string Status, int Phase, long RateMinute, long RateCount)? Locked(Transaction tx, long deployment, bool shared = false) =>
        tx.Query($"SELECT status, phase, rate_minute, rate_count FROM deployments WHERE id = @d{(tx.IsPostgres ? shared ? " FOR SHARE" : " FOR UPDATE" : "")}",
            r => (r.GetString(0), (int)Long(r, 1), Long(r, 2), Long(r, 3)), ("@d", deployment)).Cast<(string, int, long, long)?>().SingleOrDefault();

    /// <summary>A device's new state and reason, and the phase it took room in (null: unchanged).</summary>
    static void SetMember(Transaction tx, long deployment, string serial, string state, string? reason, int? phase, DateTimeOffset now) =>
        tx.Execute("UPDATE deployment_devices SET state = @st, reason = @r, phase = COALESCE(@p, phase), updated_at = @t WHERE deployment_id = @d AND serial = @s",
            ("@d", deployment), ("@s", serial), ("@st", state), ("@r", reason), ("@p", phase), ("@t", Time(now)));

    /// <summary>Why a device waits when phase <paramref name="phase"/> (from 0) took its size.</summary>
    public static string PhaseFull(int phase) => $"phase {phase + 1} is full; waits for phase {phase + 2}";

    /// <summary>Why a device is skipped when the last phase took its <paramref name="size"/>.</summary>
    public static string BeyondLastPhase(long size) => $"beyond the deployment's last phase ({size} device(s))";

    /// <summary>
    /// A pending or scheduled device asks to start: it takes room in the current phase (or waits for the next; beyond the
    /// last phase it is skipped), then waits for its site's window, the rate limit and its site's download limit, and
    /// starts. Returns its state and why.
    /// </summary>
    public (string State, string? Reason) Release(DeploymentRow d, string serial, Before before, Func<DateTimeOffset?> windowOpens, DateTimeOffset now) => InTransaction(tx =>
    {
        // The deployment first, then the device's own row (the gate locks in that order too): shared unless the rate
        // limit's counter on the deployment's row is to be written (two sharers upgrading would deadlock). The device's
        // row is locked so that the same box starting through two instances takes one place, not two.
        var locked = Locked(tx, d.Id, shared: d.Spec.RatePerMinute is null);
        var member = tx.Query($"SELECT state, phase, reason, site FROM deployment_devices WHERE deployment_id = @d AND serial = @s{(tx.IsPostgres ? " FOR UPDATE" : "")}",
            r => (State: r.GetString(0), Phase: r.IsDBNull(1) ? (int?)null : (int)Long(r, 1), Reason: OptionalString(r, 2), Site: OptionalString(r, 3)),
            ("@d", d.Id), ("@s", serial)).Single();
        // A completed deployment still starts a box that joins later (one that just finished zero-touch): as its last phase would.
        if (locked is not { Status: DeploymentRow.Running or DeploymentRow.Completed } row || member.State is not (DeviceStates.Pending or DeviceStates.Scheduled))
            return (member.State, member.Reason);
        int? took = null;   // the phase it takes room in now
        (string, string?) Wait(string state, string reason)
        {
            if ((state, reason) != (member.State, member.Reason) || took is not null) SetMember(tx, d.Id, serial, state, reason, took, now);
            return (state, reason);
        }
        if (member.Phase is null)
        {
            // Room in the phase: one conditional update of the phase's row, the only row devices starting queue on.
            if (tx.Execute("UPDATE deployment_phases SET joined = joined + 1 WHERE deployment_id = @d AND phase = @p AND joined < size", ("@d", d.Id), ("@p", row.Phase)) == 0)
            {
                long size = tx.Query("SELECT size FROM deployment_phases WHERE deployment_id = @d AND phase = @p", r => Long(r, 0), ("@d", d.Id), ("@p", row.Phase)).Single();
                bool last = tx.Query("SELECT COUNT(*) FROM deployment_phases WHERE deployment_id = @d AND phase > @p", r => Long(r, 0), ("@d", d.Id), ("@p", row.Phase))[0] == 0;
                return last ? Wait(DeviceStates.Skipped, BeyondLastPhase(size)) : Wait(DeviceStates.Pending, PhaseFull(row.Phase));
            }
            took = row.Phase;
        }
        if (windowOpens() is { } opens) return Wait(DeviceStates.Scheduled, $"waits for its maintenance window, which opens at {opens.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        long minute = now.ToUnixTimeSeconds() / 60;
        if (d.Spec.RatePerMinute is int rate)
        {
            if (row.RateMinute == minute && row.RateCount >= rate) return Wait(DeviceStates.Pending, $"rate limit: {rate} device(s) start per minute");
            tx.Execute("UPDATE deployments SET rate_minute = @m, rate_count = CASE WHEN rate_minute = @m THEN rate_count + 1 ELSE 1 END WHERE id = @d",
                ("@d", d.Id), ("@m", minute));
        }
        if (d.FirmwareVersion is not null && d.Spec.SiteConcurrentDownloads is int most && member.Site is string site
            && tx.Query("SELECT COUNT(*) FROM deployment_devices WHERE deployment_id = @d AND site = @site AND state = 'downloading'",
                r => Long(r, 0), ("@d", d.Id), ("@site", site))[0] >= most)
            return Wait(DeviceStates.Pending, $"site {site} has {most} download(s) running, its limit");
        string started = d.FirmwareVersion is null ? DeviceStates.Installing : DeviceStates.Downloading;
        tx.Execute("""
            UPDATE deployment_devices SET state = @st, reason = NULL, phase = COALESCE(@p, phase), started_at = @t, updated_at = @t, before = @b
            WHERE deployment_id = @d AND serial = @s
            """, ("@d", d.Id), ("@s", serial), ("@st", started), ("@p", took), ("@t", Time(now)), ("@b", JsonSerializer.Serialize(before, AdminJsonContext.Default.Before)));
        return (started, null);
    });

    /// <summary>
    /// The phase gate, run at once when a device of the deployment fails and every second by each server instance: halts
    /// the deployment when the current phase crosses its error threshold (and rolls that phase back when the deployment
    /// says so), fails devices that stopped reporting, promotes to the next phase when every device of this one finished
    /// its bake time, completes after the last. Returns what it did, or null.
    /// </summary>
    public string? Evaluate(DeploymentRow d, DateTimeOffset now) => InTransaction(tx =>
    {
        // Most seconds nothing is due. That is decided on plain reads first, so the devices starting (which hold the
        // deployment's row shared) are not held up by the gate's exclusive lock every second on every instance.
        if (tx.Query("SELECT status, phase FROM deployments WHERE id = @d", r => (Status: r.GetString(0), Phase: (int)Long(r, 1)), ("@d", d.Id)) is not [{ Status: DeploymentRow.Running } seen]
            || !Read(tx, d, seen.Phase, now).Due)
            return null;
        if (Locked(tx, d.Id) is not { Status: DeploymentRow.Running } row) return null;
        var gate = Read(tx, d, row.Phase, now);
        if (gate.TimedOut)
        {
            // A device that stopped reporting (powered off mid-update, cut off) fails once its time is up, bake time included.
            tx.Execute($"UPDATE deployment_devices SET state = 'failed', reason = 'no report since ' || updated_at || ' while ' || state, updated_at = @t WHERE {StoppedReporting}",
                ("@d", d.Id), ("@t", Time(now)), ("@cut", Time(gate.Cutoff)));
            gate = Read(tx, d, row.Phase, now);
        }
        if (gate.Halt is string why)
        {
            string reason = $"phase {row.Phase + 1}: {why}";
            long? rollback = d.Spec.RollbackOnHalt && d.ConfigRevision is not null ? NextRevision(tx) : null;
            tx.Execute("UPDATE deployments SET status = 'halted', reason = @r, rollback_revision = COALESCE(@rb, rollback_revision), updated_at = @t WHERE id = @d",
                ("@d", d.Id), ("@r", reason), ("@rb", rollback), ("@t", Time(now)));
            if (!d.Spec.RollbackOnHalt) return "halted: " + reason;
            tx.Execute("""
                UPDATE deployment_devices SET state = 'rolling-back', reason = 'rolled back after: ' || COALESCE(reason, state), started_at = @t, updated_at = @t
                WHERE deployment_id = @d AND phase = @p AND state IN ('downloading', 'installing', 'rebooting', 'verifying', 'succeeded', 'failed', 'fell-back')
                """, ("@d", d.Id), ("@p", row.Phase), ("@t", Time(now)));
            tx.Execute("UPDATE deployment_phases SET rolled_back = 1 WHERE deployment_id = @d AND phase = @p", ("@d", d.Id), ("@p", row.Phase));
            return "halted and rolling back: " + reason;
        }
        if (!gate.PhaseDone) return null;
        tx.Execute("UPDATE deployment_phases SET finished_at = @t WHERE deployment_id = @d AND phase = @p", ("@d", d.Id), ("@p", row.Phase), ("@t", Time(now)));
        if (row.Phase + 1 < gate.Phases)
        {
            tx.Execute("UPDATE deployments SET phase = phase + 1, updated_at = @t WHERE id = @d", ("@d", d.Id), ("@t", Time(now)));
            tx.Execute("UPDATE deployment_phases SET started_at = @t WHERE deployment_id = @d AND phase = @p", ("@d", d.Id), ("@p", row.Phase + 1), ("@t", Time(now)));
            return $"phase {row.Phase + 1} done: phase {row.Phase + 2} started";
        }
        tx.Execute("UPDATE deployments SET status = 'completed', reason = NULL, updated_at = @t WHERE id = @d", ("@d", d.Id), ("@t", Time(now)));
        return "completed";
    });

    /// <summary>
    /// Devices of deployment @d started and silent since @cut: the gate's check for them and the update that fails them
    /// must name the same rows.
    /// </summary>
    const string StoppedReporting = "deployment_id = @d AND state IN ('downloading', 'installing', 'rebooting', 'verifying', 'rolling-back') AND updated_at < @cut";

    /// <summary>What the gate would do for phase <c>phase</c> now: fail devices that stopped reporting, halt (why), or close the phase.</summary>
    readonly record struct GateReading(bool TimedOut, DateTimeOffset Cutoff, string? Halt, bool PhaseDone, int Phases)
    {
        public bool Due => TimedOut || Halt is not null || PhaseDone;
    }

    static GateReading Read(Transaction tx, DeploymentRow d, int current, DateTimeOffset now)
    {
        var phases = tx.Query("SELECT phase, size, joined, bake_seconds, accepted_failures FROM deployment_phases WHERE deployment_id = @d ORDER BY phase",
            r => (Phase: (int)Long(r, 0), Size: Long(r, 1), Joined: Long(r, 2), Bake: (int)Long(r, 3), Accepted: Long(r, 4)), ("@d", d.Id));
        var phase = phases[current];
        var cutoff = now - TimeSpan.FromMinutes(d.Spec.TimeoutMinutes) - TimeSpan.FromSeconds(phase.Bake);
        bool timedOut = tx.Query($"SELECT 1 FROM deployment_devices WHERE {StoppedReporting} LIMIT 1", _ => true, ("@d", d.Id), ("@cut", Time(cutoff))).Count > 0;
        var counts = tx.Query("SELECT state, COUNT(*) FROM deployment_devices WHERE deployment_id = @d AND phase = @p GROUP BY state",
            r => (State: r.GetString(0), Count: Long(r, 1)), ("@d", d.Id), ("@p", current));
        long failures = counts.Where(c => DeviceStates.Failure(c.State)).Sum(c => c.Count);
        long finished = counts.Where(c => DeviceStates.Finished(c.State)).Sum(c => c.Count);
        string? halt = HaltRule.Exceeded(d.Spec.Threshold, failures - phase.Accepted, finished - phase.Accepted);
        // Done when every device of the phase finished and the phase is full: it took its size, or every device of the
        // target joined and none waits for a phase (no more will come; a box enrolled later still joins the last phase,
        // or the completed deployment). The whole membership is counted only when no device waits: the rare case.
        bool done = counts.Sum(c => c.Count) == finished
            && (phase.Size != PhasePlan.Unlimited && phase.Joined >= phase.Size
                || tx.Query("SELECT 1 FROM deployment_devices WHERE deployment_id = @d AND phase IS NULL AND state IN ('pending', 'scheduled') LIMIT 1",
                       _ => true, ("@d", d.Id)).Count == 0
                   && tx.Query("SELECT COUNT(*) FROM deployment_devices WHERE deployment_id = @d", r => Long(r, 0), ("@d", d.Id))[0] >= d.TargetSize);
        return new GateReading(timedOut, cutoff, halt, done, phases.Count);
    }

    /// <summary>
    /// pause (running → paused), resume (paused or halted → running; the current phase's failures so far are accepted,
    /// the threshold counts new ones), cancel (→ cancelled; devices that had not started are cancelled, the others finish).
    /// Returns null, or why the deployment cannot do that now.
    /// </summary>
    public string? Control(long deployment, string action, string actor, DateTimeOffset now) => InTransaction(tx =>
    {
        if (Locked(tx, deployment) is not { } row) return "no such deployment";
        string? allowed = action switch
        {
            "pause" => row.Status == DeploymentRow.Running ? DeploymentRow.Paused : null,
            "resume" => row.Status is DeploymentRow.Paused or DeploymentRow.Halted ? DeploymentRow.Running : null,
            "cancel" => row.Status is DeploymentRow.Cancelled ? null : DeploymentRow.Cancelled,
            _ => null,
        };
        if (allowed is null) return $"a {row.Status} deployment cannot {action}";
        tx.Execute("UPDATE deployments SET status = @st, reason = @r, updated_at = @t WHERE id = @d",
            ("@d", deployment), ("@st", allowed), ("@r", $"{action} by {actor}"), ("@t", Time(now)));
        if (action == "resume")
            tx.Execute("""
                UPDATE deployment_phases SET accepted_failures = (SELECT COUNT(*) FROM deployment_devices m
                    WHERE m.deployment_id = @d AND m.phase = @p AND m.state IN ('failed', 'fell-back'))
                WHERE deployment_id = @d AND phase = @p
                """, ("@d", deployment), ("@p", row.Phase));
        if (action == "cancel")
            tx.Execute("UPDATE deployment_devices SET state = 'cancelled', reason = @r, updated_at = @t WHERE deployment_id = @d AND state IN ('pending', 'scheduled')",
                ("@d", deployment), ("@r", $"cancelled by {actor} before it started"), ("@t", Time(now)));
        return null;
    });
}
