using Cpe.TestKit;
using Cpe.Config;
using Cpe.Platform.State;
using Microsoft.Data.Sqlite;

namespace Cpe.UnitTests.Platform;

[Trait("Kind", "Unit")]
public sealed class StateStoreTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("cpe-store-").FullName;
    readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static string Doc(string host) => ConfigDocument.Serialize(new() { ["system"] = new System.Text.Json.Nodes.JsonObject { ["host-name"] = host } });

    [Fact]
    public void A_new_store_is_migrated_in_WAL_mode_with_full_sync()
    {
        using var store = StateStore.Open(_dir, _clock);
        Assert.Null(store.Recovery);
        Assert.Equal(Migrations.Steps.Length, store.SchemaVersion);
        Assert.Equal("ok", store.IntegrityCheck());
        using var db = new SqliteConnection($"Data Source={store.Path};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", cmd.ExecuteScalar());
    }

    [Fact]
    public void Reopening_keeps_revisions_and_does_not_migrate_twice()
    {
        using (var store = StateStore.Open(_dir, _clock)) store.AddRevision(Doc("a"), "tech", "cli", "one", null, null);
        using var again = StateStore.Open(_dir, _clock);
        Assert.Equal("one", again.Active()!.Comment);
        Assert.Equal(Migrations.Steps.Length, again.SchemaVersion);
    }

    /// <summary>Firmware whose state schema has one more step than this build's: another table, another column.</summary>
    static readonly string[] Newer = [.. Migrations.Steps, "CREATE TABLE vnf_usage (id INTEGER PRIMARY KEY, bytes INTEGER NOT NULL); ALTER TABLE events ADD COLUMN origin TEXT;"];

    static string Host(Revision r) => ConfigDocument.Parse(r.Document)["system"]!["host-name"]!.GetValue<string>();

    [Fact]
    public void After_a_fallback_from_newer_firmware_the_store_goes_on_from_the_copy_kept_before_the_migration_with_the_newest_revision()
    {
        using (var store = StateStore.Open(_dir, _clock)) store.AddRevision(Doc("site-1"), "tech", "cli", "on the old firmware", null, null);
        // The new firmware keeps a copy at the old schema before it migrates, then commits on its own schema.
        using (var store = StateStore.Open(_dir, _clock, Newer))
        {
            Assert.Equal(Newer.Length, store.SchemaVersion);
            store.AddRevision(Doc("site-2"), "vendor", "fleet", "pushed to the new firmware", null, null);
        }
        string copy = Path.Combine(_dir, $"{StateStore.FileName}.schema-{Migrations.Steps.Length}");
        Assert.True(File.Exists(copy));

        // The new slot failed; the old firmware starts again on the database the new one migrated.
        using (var store = StateStore.Open(_dir, _clock))
        {
            var f = Assert.IsType<SchemaFallback>(store.SchemaFallback);
            Assert.Equal((Newer.Length, Migrations.Steps.Length, true), (f.FoundSchema, f.KnownSchema, f.FromCopy));
            Assert.Equal(Migrations.Steps.Length, store.SchemaVersion);
            Assert.Equal("ok", store.IntegrityCheck());
            Assert.True(File.Exists(f.MovedTo));   // set aside, not deleted
            var revisions = store.Revisions();
            Assert.Equal(["site-2", "site-1"], revisions.Select(Host));
            Assert.Equal(f.CarriedRevision, revisions[0].Id);
            Assert.StartsWith("carried over from the database of newer firmware", revisions[0].Comment);
            Assert.Equal("fleet", revisions[0].Source);
            store.AddRevision(Doc("site-3"), "tech", "cli", "after the fallback", null, null);
        }

        // Updated again, the new firmware migrates what the old one has now: nothing is lost either way.
        using (var store = StateStore.Open(_dir, _clock, Newer))
        {
            Assert.Null(store.SchemaFallback);
            Assert.Equal(Newer.Length, store.SchemaVersion);
            Assert.Equal("site-3", Host(store.Active()!));
        }
    }

    [Fact]
    public void A_newer_database_without_a_kept_copy_gives_a_fresh_store_with_the_newest_revision_it_can_read()
    {
        using (var store = StateStore.Open(_dir, _clock, Newer)) store.AddRevision(Doc("site-9"), "tech", "cli", null, null, null);
        using (var old = StateStore.Open(_dir, _clock))
        {
            var f = Assert.IsType<SchemaFallback>(old.SchemaFallback);
            Assert.False(f.FromCopy);
            Assert.Equal("site-9", Host(Assert.Single(old.Revisions())));
        }
        // Fallback after fallback: the set-aside databases are bounded.
        for (int i = 0; i < StateStore.KeptNewerDatabases + 2; i++)
        {
            using (var store = StateStore.Open(_dir, _clock, Newer)) { }
            _clock.Advance(TimeSpan.FromMinutes(1));
            using var again = StateStore.Open(_dir, _clock);
            Assert.NotNull(again.SchemaFallback);
        }
        Assert.Equal(StateStore.KeptNewerDatabases, Directory.GetFiles(_dir, $"{StateStore.FileName}.schema-{Newer.Length}-*").Count(p => !p.EndsWith("-wal") && !p.EndsWith("-shm")));
    }

    [Fact]
    public void A_corrupt_database_is_moved_aside_and_the_last_good_revision_restored()
    {
        using (var store = StateStore.Open(_dir, _clock))
        {
            var r = store.AddRevision(Doc("site-17"), "tech", "cli", null, null, null);
            LastGoodBackup.Write(_dir, r);
        }
        string db = Path.Combine(_dir, StateStore.FileName);
        // Overwrite the header and first pages: SQLite can no longer read the file at all.
        using (var f = new FileStream(db, FileMode.Open, FileAccess.Write)) f.Write(new byte[8192].Select((_, i) => (byte)(i * 7)).ToArray());

        using var recovered = StateStore.Open(_dir, _clock);
        Assert.NotNull(recovered.Recovery);
        Assert.True(File.Exists(recovered.Recovery!.MovedTo), "the corrupt file is kept, not deleted");
        Assert.StartsWith(db + ".corrupt-", recovered.Recovery.MovedTo);
        Assert.Equal(LastGoodBackup.FileName, recovered.Recovery.RestoredFrom);
        Assert.Equal("site-17", ConfigDocument.Parse(recovered.Active()!.Document)["system"]!["host-name"]!.GetValue<string>());
        Assert.Equal(ConfigSources.Recovery, recovered.Active()!.Source);
        Assert.Equal("ok", recovered.IntegrityCheck());
    }

    [Fact]
    public void With_nothing_readable_the_box_starts_from_factory_default()
    {
        File.WriteAllText(Path.Combine(_dir, StateStore.FileName), "this is not a database, just text long enough to be noticed by sqlite");
        using var store = StateStore.Open(_dir, _clock);
        Assert.Equal("factory default", store.Recovery!.RestoredFrom);
        Assert.Null(store.Active());
    }

    [Theory]
    [InlineData("{\"revision\":3,\"created-at\":\"2026-11-22T12:00:00Z\",\"source\":\"cli\",\"document\":{\"system\":{}}}")]   // no author
    [InlineData("{\"revision\":\"three\",\"created-at\":\"2026-11-22T12:00:00Z\",\"author\":\"a\",\"source\":\"cli\",\"document\":{}}")]
    [InlineData("{\"revision\":3,\"created-at\":\"yesterday\",\"author\":\"a\",\"source\":\"cli\",\"document\":{}}")]
    [InlineData("{\"revision\":3,\"created-at\":\"2026-11-22T12:00:00Z\",\"author\":\"a\",\"source\":\"cli\",\"document\":{\"system\":{\"host-name\":\"bad name\"}}}")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{ truncated")]
    public void A_damaged_last_good_copy_is_not_used(string content)
    {
        File.WriteAllText(Path.Combine(_dir, LastGoodBackup.FileName), content);
        Assert.Null(LastGoodBackup.Read(_dir));
    }

    [Fact]
    public void A_whole_last_good_copy_is_read_back()
    {
        var written = new Revision(7, new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero), "tech", "cli", null, Doc("site-7"), null);
        LastGoodBackup.Write(_dir, written);
        var read = LastGoodBackup.Read(_dir)!;
        Assert.Equal((7L, written.CreatedAt, "tech", "cli"), (read.Id, read.CreatedAt, read.Author, read.Source));
        Assert.Equal("site-7", ConfigDocument.Parse(read.Document)["system"]!["host-name"]!.GetValue<string>());
    }

    [Fact]
    public void Alarms_are_raised_once_per_type_and_cleared()
    {
        using var store = StateStore.Open(_dir, _clock);
        Assert.True(store.RaiseAlarm("temp", "major", "hot").IsNew);
        Assert.False(store.RaiseAlarm("temp", "major", "still hot").IsNew);
        Assert.Single(store.ActiveAlarms());
        Assert.True(store.ClearAlarm("temp"));
        Assert.Empty(store.ActiveAlarms());
        Assert.False(store.ClearAlarm("temp"));
    }

    [Fact]
    public void The_event_log_is_bounded()
    {
        using var store = StateStore.Open(_dir, _clock);
        for (int i = 0; i < StateStore.KeptEvents + 300; i++) store.AddEvent("tick", $"event {i}");
        var all = store.RecentEvents(StateStore.KeptEvents * 2);
        Assert.True(all.Count <= StateStore.KeptEvents + 100, $"{all.Count} events kept");
        Assert.Equal($"event {StateStore.KeptEvents + 299}", all[^1].Text);
    }
}
