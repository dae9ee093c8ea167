namespace Cpe.VendorServer.Storage;

// Numbered schema migrations, the same for SQLite and PostgreSQL (docs/guides/vendor-server.md, "Database").
public sealed partial class ServerStore
{
    /// <summary>The words that differ between the two databases.</summary>
    string Id => IsPostgres ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY";
    string Blob => IsPostgres ? "BYTEA" : "BLOB";

    IEnumerable<(int Version, string Sql)> Migrations() =>
    [
        (1, $"""
            CREATE TABLE devices (serial TEXT PRIMARY KEY, conveyed {Blob} NOT NULL, owner_certificate {Blob}, voucher {Blob},
                owner TEXT, device_group TEXT, state TEXT NOT NULL, enrolled_at TEXT NOT NULL, last_seen TEXT);
            CREATE TABLE progress (id {Id}, serial TEXT NOT NULL, time TEXT NOT NULL, type TEXT NOT NULL, message TEXT);
            CREATE INDEX progress_by_serial ON progress (serial, id);
            """),
        (2, $"""
            CREATE TABLE checkins (id {Id}, serial TEXT NOT NULL, time TEXT NOT NULL, os_version TEXT NOT NULL, config_revision BIGINT NOT NULL,
                fleet_revision BIGINT NOT NULL, last_result TEXT);
            CREATE INDEX checkins_by_serial ON checkins (serial, id);
            CREATE TABLE fleet_configs (target TEXT PRIMARY KEY, revision BIGINT NOT NULL, handling TEXT NOT NULL, document TEXT NOT NULL, firmware TEXT, vnfs TEXT, updated_at TEXT NOT NULL);
            CREATE TABLE bundles (name TEXT PRIMARY KEY, conveyed {Blob} NOT NULL, owner_certificate {Blob} NOT NULL, published_at TEXT NOT NULL);
            CREATE TABLE images (name TEXT PRIMARY KEY, os_name TEXT NOT NULL, os_version TEXT NOT NULL, sha256 TEXT NOT NULL, size BIGINT NOT NULL, uploaded_at TEXT NOT NULL);
            CREATE TABLE downloads (id {Id}, serial TEXT NOT NULL, image TEXT NOT NULL, range_header TEXT, status INTEGER NOT NULL, time TEXT NOT NULL);
            CREATE TABLE tokens (hash TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL);
            """),
        (3, "ALTER TABLE devices ADD COLUMN inventory TEXT;"),
        (4, "ALTER TABLE checkins ADD COLUMN refused TEXT;"),
        (5, "ALTER TABLE checkins ADD COLUMN firmware_failure TEXT;"),
        (6, "ALTER TABLE checkins ADD COLUMN local_override TEXT;"),
    ];

    /// <summary>Brings the schema to the newest version, each migration in its own transaction; safe with several servers starting at once.</summary>
    public void Migrate()
    {
        using var c = Open();
        if (!IsPostgres) using (var wal = Command(c, "PRAGMA journal_mode=WAL")) wal.ExecuteNonQuery();
        using (var create = Command(c, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")) create.ExecuteNonQuery();
        foreach (var (version, sql) in Migrations())
        {
            using var tx = c.BeginTransaction();
            if (IsPostgres) using (var guard = Command(c, "SELECT pg_advisory_xact_lock(8572)")) { guard.Transaction = tx; guard.ExecuteNonQuery(); }
            using (var current = Command(c, "SELECT COALESCE(MAX(version), 0) FROM schema_version"))
            {
                current.Transaction = tx;
                if (Convert.ToInt32(current.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) >= version) continue;
            }
            using (var apply = Command(c, sql)) { apply.Transaction = tx; apply.ExecuteNonQuery(); }
            using (var record = Command(c, "INSERT INTO schema_version (version) VALUES (@v)", ("@v", version))) { record.Transaction = tx; record.ExecuteNonQuery(); }
            tx.Commit();
        }
    }
}
