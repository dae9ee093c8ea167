using System.Text.Json;
using Cpe.VendorServer.Deployments;

namespace Cpe.VendorServer.Storage;

/// <summary>A deployment as stored: its spec, status (running, paused, halted, completed, cancelled) and current phase.</summary>
public sealed record DeploymentRow(long Id, DeploymentSpec Spec, string Status, string? Reason, int Phase, long TargetSize, string? FirmwareVersion,
    long? ConfigRevision, long? RollbackRevision, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public const string Running = "running", Paused = "paused", Halted = "halted", Completed = "completed", Cancelled = "cancelled";

    /// <summary>Devices still join at their check-in (a completed deployment takes boxes that come later, as its last phase would).</summary>
    public bool Open => Status is Running or Paused or Halted or Completed;

    public Goal Goal => new(FirmwareVersion, ConfigRevision, Spec.Vnfs);

    /// <summary>Whether the current phase had taken its size when the row was read: it only grows, so true stays true for that phase.</summary>
    public bool CurrentPhaseFull { get; init; }
}

/// <summary>One phase: how many devices it takes and has taken, its bake time, when it started and finished.</summary>
public sealed record PhaseRow(int Phase, long Size, long Joined, int BakeSeconds, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, long AcceptedFailures, bool RolledBack);

/// <summary>A device in a deployment.</summary>
public sealed record MemberRow(long DeploymentId, string Serial, int? Phase, string State, string? Reason, string? Site, DateTimeOffset? StartedAt,
    DateTimeOffset? VerifySince, Before? Before, long Bytes, DateTimeOffset JoinedAt, DateTimeOffset UpdatedAt)
{
    public MemberState Tracked => new(State, Reason, StartedAt, VerifySince, Before);
}

// Deployments, their phases and their devices (docs/reference/vendor-admin-api.md, "Deployments").
public sealed partial class ServerStore
{
    const string DeploymentColumns = "id, spec, status, reason, phase, target_size, firmware_version, config_revision, rollback_revision, created_by, created_at, updated_at, "
        + "(SELECT CASE WHEN p.joined >= p.size THEN 1 ELSE 0 END FROM deployment_phases p WHERE p.deployment_id = deployments.id AND p.phase = deployments.phase)";

    static DeploymentRow DeploymentOf(System.Data.Common.DbDataReader r) => new(Long(r, 0),
        JsonSerializer.Deserialize(r.GetString(1), AdminJsonContext.Default.DeploymentSpec)!, r.GetString(2), OptionalString(r, 3), (int)Long(r, 4), Long(r, 5),
        OptionalString(r, 6), r.IsDBNull(7) ? null : Long(r, 7), r.IsDBNull(8) ? null : Long(r, 8), r.GetString(9), Time(r, 10), Time(r, 11))
    { CurrentPhaseFull = !r.IsDBNull(12) && Long(r, 12) == 1 };

    /// <summary>How many devices a target names now (the base of percentage phases): one count when the deployment is made.</summary>
    public long CountTarget(DeploymentTarget t)
    {
        var (where, parameters) = TargetFilter(t);
        return Query($"SELECT COUNT(*) FROM devices WHERE state = 'enrolled' AND {where}", r => Long(r, 0), parameters).Single();
    }

    /// <summary>The SQL condition for a target over the devices table (enrolment attributes and the last reported model and version).</summary>
    static (string Where, (string, object?)[] Parameters) TargetFilter(DeploymentTarget t)
    {
        var clauses = new List<string> { "1 = 1" };
        var parameters = new List<(string, object?)>();
        void Equal(string column, string? value)
        {
            if (value is null) return;
            clauses.Add($"{column} = @{column}");
            parameters.Add(("@" + column, value));
        }
        Equal("device_group", t.Group);
        Equal("site", t.Site);
        Equal("model", t.Model);
        Equal("os_version", t.OsVersion);
        if (t.Serials is { } serials)
        {
            var names = serials.Select((s, i) => ($"@s{i}", (object?)s)).ToArray();
            clauses.Add($"serial IN ({string.Join(", ", names.Select(n => n.Item1))})");
            parameters.AddRange(names);
        }
        // Labels are stored ",a,b," and checked by the admin input to hold no LIKE wildcards.
        foreach (var (label, i) in (t.Labels ?? []).Select((l, i) => (l, i)))
        {
            clauses.Add($"labels LIKE @l{i}");
            parameters.Add(($"@l{i}", $"%,{label},%"));
        }
        return (string.Join(" AND ", clauses), parameters.ToArray());
    }

    /// <summary>Stores a new deployment and its phases; its configuration (if any) takes the next fleet revision.</summary>
    public DeploymentRow CreateDeployment(DeploymentSpec spec, string? firmwareVersion, long targetSize, string createdBy, DateTimeOffset now) => InTransaction(tx =>
    {
        long? revision = spec.Configuration is null ? null : NextRevision(tx);
        string json = JsonSerializer.Serialize(spec, AdminJsonContext.Default.DeploymentSpec);
        long id = tx.Query($"""
            INSERT INTO deployments (name, spec, status, phase, target_size, firmware_version, config_revision, created_by, created_at, updated_at)
            VALUES (@n, @s, 'running', 0, @size, @f, @c, @by, @t, @t) RETURNING id
            """, r => Long(r, 0), ("@n", spec.Name), ("@s", json), ("@size", targetSize), ("@f", firmwareVersion), ("@c", revision), ("@by", createdBy), ("@t", Time(now)))[0];
        var sizes = PhasePlan.Sizes(spec, targetSize);
        for (int i = 0; i < sizes.Length; i++)
            tx.Execute("INSERT INTO deployment_phases (deployment_id, phase, size, bake_seconds, started_at) VALUES (@d, @p, @size, @b, @t)",
                ("@d", id), ("@p", i), ("@size", sizes[i].Size), ("@b", sizes[i].BakeSeconds), ("@t", i == 0 ? Time(now) : null));
        return new DeploymentRow(id, spec, DeploymentRow.Running, null, 0, targetSize, firmwareVersion, revision, null, createdBy, now, now);
    });

    public DeploymentRow? Deployment(long id) =>
        Query($"SELECT {DeploymentColumns} FROM deployments WHERE id = @d", DeploymentOf, ("@d", id)).SingleOrDefault();

    /// <summary>Deployments newest first; with a status, only those.</summary>
    public IReadOnlyList<DeploymentRow> Deployments(string? status = null, int limit = 100) =>
        Query($"SELECT {DeploymentColumns} FROM deployments WHERE CAST(@st AS TEXT) IS NULL OR status = @st ORDER BY id DESC LIMIT @n",
            DeploymentOf, ("@st", status), ("@n", limit));

    /// <summary>The deployments devices still join (few: what the check-in matches against, held by the snapshot).</summary>
    public IReadOnlyList<DeploymentRow> OpenDeployments() =>
        Query($"SELECT {DeploymentColumns} FROM deployments WHERE status IN ('running', 'paused', 'halted', 'completed') ORDER BY id", DeploymentOf);

    public IReadOnlyList<PhaseRow> Phases(long deployment) =>
        Query("SELECT phase, size, joined, bake_seconds, started_at, finished_at, accepted_failures, rolled_back FROM deployment_phases WHERE deployment_id = @d ORDER BY phase",
            r => new PhaseRow((int)Long(r, 0), Long(r, 1), Long(r, 2), (int)Long(r, 3), OptionalTime(r, 4), OptionalTime(r, 5), Long(r, 6), Long(r, 7) != 0),
            ("@d", deployment));

    /// <summary>Device counts by phase and state (a phase of -1: devices not in a phase yet).</summary>
    public IReadOnlyList<(int Phase, string State, long Count)> MemberCounts(long deployment) =>
        Query("SELECT COALESCE(phase, -1), state, COUNT(*) FROM deployment_devices WHERE deployment_id = @d GROUP BY phase, state",
            r => ((int)Long(r, 0), r.GetString(1), Long(r, 2)), ("@d", deployment));

    const string MemberColumns = "deployment_id, serial, phase, state, reason, site, started_at, verify_since, before, bytes, joined_at, updated_at";

    static MemberRow MemberOf(System.Data.Common.DbDataReader r) => new(Long(r, 0), r.GetString(1), r.IsDBNull(2) ? null : (int)Long(r, 2), r.GetString(3),
        OptionalString(r, 4), OptionalString(r, 5), OptionalTime(r, 6), OptionalTime(r, 7),
        r.IsDBNull(8) ? null : JsonSerializer.Deserialize(r.GetString(8), AdminJsonContext.Default.Before), Long(r, 9), Time(r, 10), Time(r, 11));

    /// <summary>Every deployment a device is or was in, oldest first: one index range per check-in.</summary>
    public IReadOnlyList<MemberRow> Memberships(string serial) =>
        Query($"SELECT {MemberColumns} FROM deployment_devices WHERE serial = @s ORDER BY deployment_id", MemberOf, ("@s", serial));

    /// <summary>A page of a deployment's devices (by serial, after <paramref name="after"/>), optionally in one state.</summary>
    public IReadOnlyList<MemberRow> Members(long deployment, string? state, string? after, int limit) =>
        Query($"""
            SELECT {MemberColumns} FROM deployment_devices WHERE deployment_id = @d AND (CAST(@st AS TEXT) IS NULL OR state = @st)
              AND (CAST(@a AS TEXT) IS NULL OR serial > @a) ORDER BY serial LIMIT @n
            """, MemberOf, ("@d", deployment), ("@st", state), ("@a", after), ("@n", limit));

    /// <summary>A device joins a deployment (once: a second instance's insert of the same device is ignored).</summary>
    public void Join(long deployment, string serial, string state, string? reason, string? site, DateTimeOffset now) =>
        Execute("""
            INSERT INTO deployment_devices (deployment_id, serial, state, reason, site, joined_at, updated_at) VALUES (@d, @s, @st, @r, @site, @t, @t)
            ON CONFLICT (deployment_id, serial) DO NOTHING
            """, ("@d", deployment), ("@s", serial), ("@st", state), ("@r", reason), ("@site", site), ("@t", Time(now)));

    /// <summary>Stores the state machine's step for a device, only if its state is still <paramref name="from"/> (another instance may have moved it).</summary>
    public bool Track(long deployment, string serial, string from, MemberState next, DateTimeOffset now) =>
        Execute("""
            UPDATE deployment_devices SET state = @st, reason = @r, verify_since = @v, updated_at = @t
            WHERE deployment_id = @d AND serial = @s AND state = @from
            """, ("@d", deployment), ("@s", serial), ("@from", from), ("@st", next.State), ("@r", next.Reason),
            ("@v", next.VerifySince is { } v ? Time(v) : null), ("@t", Time(now))) > 0;

    /// <summary>An install report: the device's download bytes and, when it moved, its state.</summary>
    public void Installing(long deployment, string serial, string state, long bytes, DateTimeOffset now) =>
        Execute("""
            UPDATE deployment_devices SET state = @st, bytes = @b, updated_at = @t
            WHERE deployment_id = @d AND serial = @s AND state IN ('downloading', 'installing', 'rebooting')
            """, ("@d", deployment), ("@s", serial), ("@st", state), ("@b", bytes), ("@t", Time(now)));

    public void AddSite(string name, string timeZone) =>
        Execute("INSERT INTO sites (name, time_zone) VALUES (@n, @z) ON CONFLICT (name) DO UPDATE SET time_zone = excluded.time_zone", ("@n", name), ("@z", timeZone));

    public Dictionary<string, string> Sites() =>
        Query("SELECT name, time_zone FROM sites", r => (r.GetString(0), r.GetString(1))).ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal);
}
