using System.Text.Json.Nodes;
using Cpe.TestKit;
using Cpe.VendorServer.Deployments;
using Cpe.VendorServer.Storage;

namespace Cpe.IntegrationTests.VendorServer;

/// <summary>
/// The deployment steps in the database, the same on SQLite and a real PostgreSQL: phase room, the rate limit, the halt
/// and its rollback, resume and cancel, the shared revision sequence and the append-only audit log.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class DeploymentStoreTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    static readonly Before Old = new("1.0.0", 0, []);

    public static TheoryData<string> Databases => ["sqlite", "postgres"];

    static void WithStore(string kind, Action<ServerStore> test) => WithStore(kind, (store, _) => test(store));

    /// <summary>The store, and a way to send SQL to its database directly (as anyone with database access could).</summary>
    static void WithStore(string kind, Action<ServerStore, Func<System.Data.Common.DbConnection>> test)
    {
        if (kind == "sqlite")
        {
            using var dir = new TempFolder("cpe-store-");
            var store = ServerStore.Open(dir["server.db"]);
            store.Migrate();
            test(store, () => new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={dir["server.db"]}"));
        }
        else
        {
            using var db = new PostgresDatabase();
            var store = ServerStore.Open(db.ConnectionString);
            store.Migrate();
            test(store, () => new Npgsql.NpgsqlConnection(db.ConnectionString));
        }
    }

    static void Sql(Func<System.Data.Common.DbConnection> connect, string sql)
    {
        using var c = connect();
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    static DeploymentSpec Spec(int? rate = null, bool rollback = false) => new("site-names", new DeploymentTarget(Group: "branch"))
    {
        Configuration = new JsonObject { ["schema-version"] = 1, ["system"] = new JsonObject { ["host-name"] = "x" } },
        Phases = [new PhaseSpec(Count: 2, BakeSeconds: 0), new PhaseSpec(Percent: 100, BakeSeconds: 0)],
        ErrorThreshold = new ErrorThreshold(Count: 1),
        RatePerMinute = rate,
        RollbackOnHalt = rollback,
    };

    static void Enroll(ServerStore store, int count)
    {
        for (int i = 1; i <= count; i++) store.Enroll(new Enrollment($"SIM-{i}", [1], null, null, T0, null, "branch"));
    }

    [Theory, MemberData(nameof(Databases))]
    public void Devices_take_the_phase_rooms_in_turn_and_the_phase_is_promoted_once_all_finished(string kind) => WithStore(kind, store =>
    {
        Enroll(store, 4);
        Assert.Equal(4, store.CountTarget(new DeploymentTarget(Group: "branch")));
        Assert.Equal(0, store.CountTarget(new DeploymentTarget(Group: "branch", Labels: ["lab"])));
        // Fleet configurations and deployments share one revision sequence: each is newer than all before it.
        Assert.Equal(1, store.SetFleetConfig("group:branch", "merge", "{}", null, null, T0).Revision);
        var d = store.CreateDeployment(Spec(), null, 4, "ann", T0);
        Assert.Equal(2, d.ConfigRevision);
        Assert.Equal(3, store.SetFleetConfig("group:branch", "merge", "{}", null, null, T0).Revision);
        foreach (var serial in new[] { "SIM-1", "SIM-2", "SIM-3" }) store.Join(d.Id, serial, DeviceStates.Pending, null, null, T0);
        store.Join(d.Id, "SIM-1", DeviceStates.Pending, null, null, T0);   // a second instance's join of the same device: ignored
        Assert.Equal((DeviceStates.Installing, (string?)null), store.Release(d, "SIM-1", Old, () => null, T0));
        Assert.False(store.Deployment(d.Id)!.CurrentPhaseFull);
        Assert.Equal(DeviceStates.Installing, store.Release(d, "SIM-2", Old, () => null, T0).State);
        Assert.True(store.Deployment(d.Id)!.CurrentPhaseFull);   // what lets later joiners wait without the row lock
        var waiting = store.Release(d, "SIM-3", Old, () => null, T0);
        Assert.Equal((DeviceStates.Pending, "phase 1 is full; waits for phase 2"), waiting);
        Assert.Equal([2L, 0L], store.Phases(d.Id).Select(p => p.Joined));

        Assert.Null(store.Evaluate(d, T0));   // devices of phase 1 not finished
        foreach (var serial in new[] { "SIM-1", "SIM-2" })
            Assert.True(store.Track(d.Id, serial, DeviceStates.Installing, new MemberState(DeviceStates.Succeeded, null, T0, T0, Old), T0));
        Assert.False(store.Track(d.Id, "SIM-1", DeviceStates.Installing, new MemberState(DeviceStates.Failed, "late", T0, T0, Old), T0));   // moved on already
        Assert.Equal("phase 1 done: phase 2 started", store.Evaluate(d, T0));
        d = store.Deployment(d.Id)!;
        Assert.Equal(1, d.Phase);
        Assert.False(d.CurrentPhaseFull);   // phase 2's room, read afresh
        Assert.Equal(DeviceStates.Installing, store.Release(d, "SIM-3", Old, () => null, T0).State);
        store.Track(d.Id, "SIM-3", DeviceStates.Installing, new MemberState(DeviceStates.Succeeded, null, T0, T0, Old), T0);
        Assert.Null(store.Evaluate(d, T0));   // the last phase waits for the whole target (SIM-4 has not joined)
        store.Join(d.Id, "SIM-4", DeviceStates.AlreadyCurrent, null, null, T0);
        Assert.Equal("completed", store.Evaluate(d, T0));   // all four joined (SIM-4 already ran it, taking no phase room)
        Assert.Equal(DeploymentRow.Completed, store.Deployment(d.Id)!.Status);
    });

    [Theory, MemberData(nameof(Databases))]
    public void Devices_starting_at_once_take_exactly_the_phase_room_and_a_box_starting_twice_takes_one_place(string kind) => WithStore(kind, store =>
    {
        Enroll(store, 40);
        var d = store.CreateDeployment(Spec() with { Phases = [new PhaseSpec(Count: 10, BakeSeconds: 0), new PhaseSpec(Percent: 100, BakeSeconds: 0)] }, null, 40, "ann", T0);
        var serials = Enumerable.Range(1, 40).Select(i => $"SIM-{i}").ToArray();
        foreach (var serial in serials) store.Join(d.Id, serial, DeviceStates.Pending, null, null, T0);
        // Eight at a time (PostgreSQL: eight connections, each holding the deployment's row shared), the first five twice.
        var results = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.ForEach(serials.Concat(serials[..5]), new ParallelOptions { MaxDegreeOfParallelism = 8 }, s => results.Add(store.Release(d, s, Old, () => null, T0).State));
        Assert.Equal(10, store.Phases(d.Id)[0].Joined);
        var members = store.Members(d.Id, null, null, 100);
        Assert.Equal(10, members.Count(m => m.State == DeviceStates.Installing && m.Phase == 0));
        Assert.Equal(30, members.Count(m => m.State == DeviceStates.Pending && m.Phase is null && m.Reason == "phase 1 is full; waits for phase 2"));
        Assert.Equal(45, results.Count);
    });

    [Theory, MemberData(nameof(Databases))]
    public void A_failure_over_the_threshold_halts_and_rolls_the_phase_back_resume_accepts_it_and_cancel_stops_the_rest(string kind) => WithStore(kind, store =>
    {
        Enroll(store, 4);
        var d = store.CreateDeployment(Spec(rollback: true), null, 4, "ann", T0);
        foreach (var serial in new[] { "SIM-1", "SIM-2", "SIM-3" }) store.Join(d.Id, serial, DeviceStates.Pending, null, null, T0);
        store.Release(d, "SIM-1", Old, () => null, T0);
        store.Release(d, "SIM-2", Old, () => null, T0);
        store.Track(d.Id, "SIM-1", DeviceStates.Installing, new MemberState(DeviceStates.Succeeded, null, T0, T0, Old), T0);
        store.Track(d.Id, "SIM-2", DeviceStates.Installing, new MemberState(DeviceStates.Failed, "fleet revision 1 not kept: commit refused", T0, null, Old), T0);
        Assert.Equal("halted and rolling back: phase 1: 1 device(s) failed (threshold 1)", store.Evaluate(d, T0));
        d = store.Deployment(d.Id)!;
        Assert.Equal((DeploymentRow.Halted, d.ConfigRevision + 1), (d.Status, d.RollbackRevision));
        var members = store.Members(d.Id, null, null, 10).ToDictionary(m => m.Serial);
        Assert.Equal((DeviceStates.RollingBack, "rolled back after: succeeded"), (members["SIM-1"].State, members["SIM-1"].Reason));
        Assert.Equal("rolled back after: fleet revision 1 not kept: commit refused", members["SIM-2"].Reason);
        Assert.True(store.Phases(d.Id)[0].RolledBack);
        // Halted: nobody starts, whatever asks.
        Assert.Equal(DeviceStates.Pending, store.Release(d, "SIM-3", Old, () => null, T0).State);
        Assert.Equal("a halted deployment cannot pause", store.Control(d.Id, "pause", "bob", T0));

        store.Track(d.Id, "SIM-1", DeviceStates.RollingBack, new MemberState(DeviceStates.RolledBack, null, T0, null, Old), T0);
        store.Track(d.Id, "SIM-2", DeviceStates.RollingBack, new MemberState(DeviceStates.Failed, "rollback: refused", T0, null, Old), T0);
        Assert.Null(store.Control(d.Id, "resume", "bob", T0));
        Assert.Equal(1, store.Phases(d.Id)[0].AcceptedFailures);   // the failure the operator resumed over no longer counts
        d = store.Deployment(d.Id)!;
        Assert.Null(store.Evaluate(d, T0) is string s && s.StartsWith("halted", StringComparison.Ordinal) ? s : null);
        Assert.Equal(DeploymentRow.Running, store.Deployment(d.Id)!.Status);

        Assert.Null(store.Control(d.Id, "cancel", "bob", T0));
        var cancelled = store.Members(d.Id, DeviceStates.Cancelled, null, 10);
        Assert.Equal(["SIM-3"], cancelled.Select(m => m.Serial));
        Assert.Equal("cancelled by bob before it started", cancelled[0].Reason);
        Assert.Equal("a cancelled deployment cannot resume", store.Control(d.Id, "resume", "bob", T0));
        Assert.Equal("no such deployment", store.Control(999, "pause", "bob", T0));
    });

    [Theory, MemberData(nameof(Databases))]
    public void The_rate_limit_and_the_window_hold_devices_and_a_device_that_stopped_reporting_fails_after_its_time(string kind) => WithStore(kind, store =>
    {
        Enroll(store, 3);
        var d = store.CreateDeployment(Spec(rate: 1) with { Phases = [new PhaseSpec(Percent: 100, BakeSeconds: 0)], DeviceTimeoutMinutes = 5 }, null, 3, "ann", T0);
        foreach (var serial in new[] { "SIM-1", "SIM-2", "SIM-3" }) store.Join(d.Id, serial, DeviceStates.Pending, null, null, T0);
        Assert.Equal(DeviceStates.Installing, store.Release(d, "SIM-1", Old, () => null, T0).State);
        Assert.Equal((DeviceStates.Pending, "rate limit: 1 device(s) start per minute"), store.Release(d, "SIM-2", Old, () => null, T0.AddSeconds(30)));
        var opens = T0.AddHours(3);
        Assert.Equal(DeviceStates.Scheduled, store.Release(d, "SIM-3", Old, () => opens, T0.AddSeconds(30)).State);
        Assert.Equal(DeviceStates.Installing, store.Release(d, "SIM-2", Old, () => null, T0.AddSeconds(61)).State);
        // SIM-1 never reports again: failed once its time is up, and with a threshold of 1 the deployment halts.
        Assert.Null(store.Evaluate(d, T0.AddMinutes(4)));
        Assert.Equal("halted: phase 1: 1 device(s) failed (threshold 1)", store.Evaluate(d, T0.AddMinutes(6)));
        var failed = store.Members(d.Id, DeviceStates.Failed, null, 10).Single();
        Assert.Equal("SIM-1", failed.Serial);
        Assert.StartsWith("no report since 2026-12-07T10:00:00", failed.Reason);
    });

    [Theory, MemberData(nameof(Databases))]
    public void A_phase_larger_than_the_target_is_done_once_every_device_joined_and_finished(string kind) => WithStore(kind, store =>
    {
        Enroll(store, 2);
        var d = store.CreateDeployment(Spec() with { Phases = [new PhaseSpec(Count: 5, BakeSeconds: 0), new PhaseSpec(Percent: 100)] }, null, 2, "ann", T0);
        foreach (var serial in new[] { "SIM-1", "SIM-2" })
        {
            store.Join(d.Id, serial, DeviceStates.Pending, null, null, T0);
            store.Release(d, serial, Old, () => null, T0);
            Assert.Null(store.Evaluate(d, T0));   // this device has not finished
            store.Track(d.Id, serial, DeviceStates.Installing, new MemberState(DeviceStates.Succeeded, null, T0, T0, Old), T0);
        }
        Assert.Equal("phase 1 done: phase 2 started", store.Evaluate(d, T0));
        Assert.Equal("completed", store.Evaluate(store.Deployment(d.Id)!, T0));
    });

    [Theory, MemberData(nameof(Databases))]
    public void The_last_phase_does_not_complete_while_a_joined_device_still_waits_for_it(string kind) => WithStore(kind, store =>
    {
        Enroll(store, 2);
        var d = store.CreateDeployment(Spec() with { Phases = [new PhaseSpec(Count: 1, BakeSeconds: 0), new PhaseSpec(Percent: 100)] }, null, 2, "ann", T0);
        store.Join(d.Id, "SIM-1", DeviceStates.Pending, null, null, T0);
        store.Release(d, "SIM-1", Old, () => null, T0);
        store.Join(d.Id, "SIM-2", DeviceStates.Pending, null, null, T0);
        Assert.Equal(DeviceStates.Pending, store.Release(d, "SIM-2", Old, () => null, T0).State);   // phase 1 is full
        store.Track(d.Id, "SIM-1", DeviceStates.Installing, new MemberState(DeviceStates.Succeeded, null, T0, T0, Old), T0);
        Assert.Equal("phase 1 done: phase 2 started", store.Evaluate(d, T0));
        d = store.Deployment(d.Id)!;
        // Everyone joined, but SIM-2 has no phase yet: phase 2 is not done before it took it and finished.
        Assert.Null(store.Evaluate(d, T0));
        Assert.Equal(DeviceStates.Installing, store.Release(d, "SIM-2", Old, () => null, T0).State);
        Assert.Null(store.Evaluate(d, T0));
        store.Track(d.Id, "SIM-2", DeviceStates.Installing, new MemberState(DeviceStates.Succeeded, null, T0, T0, Old), T0);
        Assert.Equal("completed", store.Evaluate(d, T0));
    });

    [Theory, MemberData(nameof(Databases))]
    public void The_audit_log_is_append_only_in_the_database(string kind) => WithStore(kind, (store, connect) =>
    {
        store.AddAudit(new AuditEntry(0, T0, "ann", "operator", "deploy", "id=1", "deployment 1", "127.0.0.1", 201));
        store.AddAudit(new AuditEntry(0, T0, "bob", "viewer", "pause", "id=1", null, "127.0.0.1", 403));
        Assert.Equal(["pause", "deploy"], store.Audit(null, null, 10).Select(a => a.Action));
        Assert.Equal(["deploy"], store.Audit(null, "deploy", 10).Select(a => a.Action));
        Assert.Equal(["deploy"], store.Audit(store.Audit(null, null, 1)[0].Id, null, 10).Select(a => a.Action));
        var change = Assert.ThrowsAny<System.Data.Common.DbException>(() => Sql(connect, "UPDATE audit SET actor = 'mallory'"));
        Assert.Contains("append-only", change.Message);
        Assert.ThrowsAny<System.Data.Common.DbException>(() => Sql(connect, "DELETE FROM audit"));
        Assert.Equal(2, store.Audit(null, null, 10).Count);
    });
}
