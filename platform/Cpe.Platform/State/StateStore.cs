using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Cpe.Platform.State;

/// <summary>
/// The box's SQLite database: WAL, synchronous=FULL, numbered migrations, integrity checked at
/// open. One connection, serialized: the daemon's write rate is commits and events, not packets.
/// </summary>
public sealed partial class StateStore : IDisposable
{
    public const string FileName = "cpe.db";
    public const int KeptRevisions = 50;
    public const int KeptEvents = 2000;
    public const int KeptClearedAlarms = 200;

    readonly SqliteConnection _db;
    readonly Lock _gate = new();
    readonly TimeProvider _clock;

    public string Path { get; }
    public StoreRecovery? Recovery { get; private set; }

    StateStore(SqliteConnection db, string path, TimeProvider clock) { _db = db; Path = path; _clock = clock; }

    /// <summary>
    /// Opens (or creates) the store in <paramref name="directory"/>. A database that fails to open or
    /// fails its integrity check is moved aside, never deleted, and a fresh one is started from the
    /// newest revision that can still be read (see <see cref="Recovery"/>). Before a migration, a copy
    /// at the old schema is kept for the firmware that wrote it; a database at a schema newer than this
    /// firmware knows (it fell back from newer firmware) is set aside for that copy (docs/reference/state-store.md,
    /// "Across firmware updates").
    /// </summary>
    public static StateStore Open(string directory, TimeProvider clock) => Open(directory, clock, Migrations.Steps);

    internal static StateStore Open(string directory, TimeProvider clock, string[] steps)
    {
        Directory.CreateDirectory(directory);
        string path = System.IO.Path.Combine(directory, FileName);
        string? problem = null;
        try
        {
            var db = Connect(path);
            string check = Scalar(db, "PRAGMA integrity_check") as string ?? "no answer";
            if (check == "ok")
            {
                long schema = (long)(Scalar(db, "PRAGMA user_version") ?? 0L);
                if (schema > steps.Length)
                {
                    db.Dispose();
                    return FromNewerFirmware(directory, path, schema, steps, clock);
                }
                if (schema > 0 && schema < steps.Length) KeepSchemaCopy(db, directory, path, schema);
                Migrate(db, steps);
                return new StateStore(db, path, clock);
            }
            db.Dispose();
            problem = "integrity check failed: " + check.Split('\n')[0];
        }
        catch (SqliteException e)
        {
            problem = $"cannot open: {e.Message}";
        }
        return RecoverFromCorruption(directory, path, problem, clock, steps);
    }

    static SqliteConnection Connect(string path, bool readOnly = false)
    {
        var cs = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString();
        var db = new SqliteConnection(cs);
        db.Open();
        if (!readOnly)
        {
            // WAL keeps readers off the writer; FULL makes every commit durable across power loss.
            Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;");
        }
        return db;
    }

    static void Migrate(SqliteConnection db, string[] steps)
    {
        long version = (long)(Scalar(db, "PRAGMA user_version") ?? 0L);
        for (long step = version; step < steps.Length; step++)
        {
            using var tx = db.BeginTransaction();
            Exec(db, steps[step], tx);
            Exec(db, $"PRAGMA user_version = {step + 1}", tx);
            tx.Commit();
        }
    }

    public long SchemaVersion { get { lock (_gate) return (long)(Scalar(_db, "PRAGMA user_version") ?? 0L); } }

    public string IntegrityCheck() { lock (_gate) return Scalar(_db, "PRAGMA integrity_check") as string ?? "no answer"; }

    static StateStore RecoverFromCorruption(string directory, string path, string problem, TimeProvider clock, string[] steps)
    {
        SqliteConnection.ClearAllPools();
        string stamp = clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        string moved = $"{path}.corrupt-{stamp}";
        MoveAside(path, moved);

        var fromDb = LastGoodBackup.SalvageNewest(moved);
        var fromFile = LastGoodBackup.Read(directory);
        var best = new[] { fromDb, fromFile }.Where(r => r is not null).MaxBy(r => r!.Id);

        var db = Connect(path);
        Migrate(db, steps);
        var store = new StateStore(db, path, clock);
        if (best is not null)
            store.InsertRevision(best with
            {
                Source = ConfigSources.Recovery,
                Author = "system",
                Comment = $"recovered revision {best.Id} after the state database was found corrupt",
                ConfirmBy = null
            });
        store.Recovery = new StoreRecovery(problem, moved, best?.Id,
            best is null ? "factory default" : best == fromDb ? "corrupt database" : LastGoodBackup.FileName);
        return store;
    }

    /// <summary>The database file and its write-ahead log and index, moved together (the log may hold the newest commits).</summary>
    static void MoveAside(string path, string moved)
    {
        File.Move(path, moved, overwrite: true);
        foreach (var suffix in new[] { "-wal", "-shm" })
            if (File.Exists(path + suffix)) File.Move(path + suffix, moved + suffix, overwrite: true);
    }

    /// <summary>The watchdog's check that the store can still be written: takes SQLite's write lock and lets it go, writing nothing.</summary>
    public bool CheckWritable()
    {
        lock (_gate)
        {
            Exec(_db, "BEGIN IMMEDIATE");
            Exec(_db, "ROLLBACK");
        }
        return true;
    }

    internal static object? Scalar(SqliteConnection db, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd.ExecuteScalar();
    }

    internal static void Exec(SqliteConnection db, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }

    SqliteCommand Command(string sql, params (string Name, object? Value)[] args)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
    static DateTimeOffset ParseTime(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public void Dispose()
    {
        lock (_gate)
        {
            if (_db.State != System.Data.ConnectionState.Open) return;   // disposed already
            // Fold the WAL back so the file on disk is complete on its own.
            try { Exec(_db, "PRAGMA wal_checkpoint(TRUNCATE)"); } catch (SqliteException) { /* closing anyway */ }
            _db.Dispose();
        }
    }
}
