using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Cpe.Platform.State;

/// <summary>
/// The state database across firmware updates (docs/reference/state-store.md, "Across firmware updates"). Migrations
/// only ever go forward, and an older firmware cannot know what a newer schema means, so before a migration the
/// database is copied at its current schema (cpe.db.schema-N, a consistent VACUUM INTO snapshot, synced and renamed
/// into place). If the new slot then fails and the box falls back, the old firmware finds a schema above its own,
/// sets that database aside (kept, never deleted; the newest three) and goes on from its copy, with the newest
/// configuration revision it can read from the newer database carried over, so what was committed meanwhile is not
/// lost where it can be understood.
/// </summary>
public sealed partial class StateStore
{
    public const int KeptNewerDatabases = 3;

    public SchemaFallback? SchemaFallback { get; private set; }

    static string SchemaCopy(string path, long schema) => $"{path}.schema-{schema.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Keeps the database as it is at <paramref name="schema"/> for the firmware that wrote it, before this one migrates it.</summary>
    static void KeepSchemaCopy(SqliteConnection db, string directory, string path, long schema)
    {
        string copy = SchemaCopy(path, schema), temporary = copy + ".new";
        File.Delete(temporary);
        Exec(db, $"VACUUM INTO '{temporary.Replace("'", "''")}'");
        using (var f = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite)) f.Flush(flushToDisk: true);
        File.Move(temporary, copy, overwrite: true);
        Cpe.Interop.Files.SyncFolder(directory);
    }

    static StateStore FromNewerFirmware(string directory, string path, long found, string[] steps, TimeProvider clock)
    {
        SqliteConnection.ClearAllPools();
        string stamp = clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        string moved = $"{SchemaCopy(path, found)}-{stamp}";
        MoveAside(path, moved);
        string copy = SchemaCopy(path, steps.Length);
        bool fromCopy = File.Exists(copy);
        if (fromCopy) File.Copy(copy, path);
        Cpe.Interop.Files.SyncFolder(directory);

        var db = Connect(path);
        Migrate(db, steps);
        var store = new StateStore(db, path, clock);
        long? carried = null;
        if (LastGoodBackup.SalvageNewest(moved) is { } newest && newest.Id > (store.Active()?.Id ?? 0))
        {
            store.InsertRevision(newest with
            {
                Comment = $"carried over from the database of newer firmware (schema {found}) after a fallback" + (newest.Comment is { Length: > 0 } c ? $": {c}" : ""),
            });
            carried = newest.Id;
        }
        store.SchemaFallback = new SchemaFallback(found, steps.Length, moved, fromCopy, carried);
        PruneNewer(directory);
        return store;
    }

    static void PruneNewer(string directory)
    {
        var old = Directory.GetFiles(directory, FileName + ".schema-*-*")
            .Where(f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal))
            .OrderByDescending(File.GetLastWriteTimeUtc).Skip(KeptNewerDatabases);
        foreach (var f in old)
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(f + suffix);
    }
}
