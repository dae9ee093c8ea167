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
        (7, $"""
            ALTER TABLE devices ADD COLUMN site TEXT;
            ALTER TABLE devices ADD COLUMN labels TEXT;
            ALTER TABLE devices ADD COLUMN model TEXT;
            ALTER TABLE devices ADD COLUMN os_version TEXT;
            ALTER TABLE devices ADD COLUMN alarms TEXT;
            ALTER TABLE checkins ADD COLUMN software TEXT;
            CREATE TABLE sites (name TEXT PRIMARY KEY, time_zone TEXT NOT NULL);
            CREATE TABLE counters (id INTEGER PRIMARY KEY, value BIGINT NOT NULL);
            INSERT INTO counters (id, value) SELECT 1, COALESCE(MAX(revision), 0) FROM fleet_configs;
            INSERT INTO counters (id, value) VALUES (2, 0);
            ALTER TABLE devices ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0;
            CREATE INDEX devices_by_change ON devices (change_seq);
            CREATE TABLE deployments (id {Id}, name TEXT NOT NULL, spec TEXT NOT NULL, status TEXT NOT NULL, reason TEXT, phase INTEGER NOT NULL,
                target_size BIGINT NOT NULL, firmware_version TEXT, config_revision BIGINT, rollback_revision BIGINT, created_by TEXT NOT NULL,
                created_at TEXT NOT NULL, updated_at TEXT NOT NULL, rate_minute BIGINT NOT NULL DEFAULT 0, rate_count BIGINT NOT NULL DEFAULT 0);
            CREATE TABLE deployment_phases (deployment_id BIGINT NOT NULL, phase INTEGER NOT NULL, size BIGINT NOT NULL, joined BIGINT NOT NULL DEFAULT 0,
                bake_seconds INTEGER NOT NULL, started_at TEXT, finished_at TEXT, accepted_failures BIGINT NOT NULL DEFAULT 0, rolled_back INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (deployment_id, phase));
            CREATE TABLE deployment_devices (deployment_id BIGINT NOT NULL, serial TEXT NOT NULL, phase INTEGER, state TEXT NOT NULL, reason TEXT, site TEXT,
                started_at TEXT, verify_since TEXT, before TEXT, bytes BIGINT NOT NULL DEFAULT 0, joined_at TEXT NOT NULL, updated_at TEXT NOT NULL,
                PRIMARY KEY (deployment_id, serial));
            CREATE INDEX deployment_devices_by_serial ON deployment_devices (serial, deployment_id);
            CREATE INDEX deployment_devices_by_state ON deployment_devices (deployment_id, state, phase);
            ALTER TABLE tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'administrator';
            ALTER TABLE tokens ADD COLUMN revoked_at TEXT;
            CREATE TABLE audit (id {Id}, time TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, target TEXT,
                detail TEXT, source TEXT, status INTEGER NOT NULL);
            {AppendOnly("audit")}
            """),
        (8, """
            CREATE TABLE vnf_packages (name TEXT NOT NULL, version TEXT NOT NULL, sha256 TEXT NOT NULL, size BIGINT NOT NULL, signer TEXT NOT NULL,
                uploaded_at TEXT NOT NULL, PRIMARY KEY (name, version));
            ALTER TABLE checkins ADD COLUMN vnfs TEXT;
            ALTER TABLE checkins ADD COLUMN vnf_failures TEXT;
            """),
    ];

    /// <summary>The audit log is append-only in the database itself: an UPDATE or DELETE of a row fails, whoever sends it.</summary>
    string AppendOnly(string table) => IsPostgres
        ? $"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{table} is append-only'; END $$;
            CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
            """
        : $"""
            CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
            CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;
            """;

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
