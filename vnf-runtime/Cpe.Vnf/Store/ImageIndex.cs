using Microsoft.Data.Sqlite;

namespace Cpe.Vnf.Store;

/// <summary>
/// The image store's SQLite index (docs/reference/vnf-image-store.md): images, the blobs each uses, and who holds
/// each image (a VNF of the configuration, by name). Blobs and unpacked trees on disk that the index does not name
/// are garbage. Rows are mapped by hand (NativeAOT).
/// </summary>
sealed class ImageIndex : IDisposable
{
    static readonly string[] Migrations =
    [
        """
        CREATE TABLE images (
            manifest_digest TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            version TEXT NOT NULL,
            config_digest TEXT NOT NULL,
            signer TEXT NOT NULL,
            added_at TEXT NOT NULL,
            rootfs_bytes INTEGER NOT NULL,
            UNIQUE (name, version));
        CREATE TABLE blobs (digest TEXT PRIMARY KEY, size INTEGER NOT NULL);
        CREATE TABLE image_blobs (
            manifest_digest TEXT NOT NULL REFERENCES images ON DELETE CASCADE,
            digest TEXT NOT NULL REFERENCES blobs,
            PRIMARY KEY (manifest_digest, digest));
        CREATE TABLE holders (
            manifest_digest TEXT NOT NULL REFERENCES images ON DELETE RESTRICT,
            holder TEXT NOT NULL,
            PRIMARY KEY (manifest_digest, holder));
        """,
    ];

    readonly SqliteConnection _db;

    public ImageIndex(string path)
    {
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _db.Open();
        Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;");
        long version = (long)Scalar("PRAGMA user_version")!;
        for (long step = version; step < Migrations.Length; step++)
        {
            using var tx = _db.BeginTransaction();
            Exec(Migrations[step], tx);
            Exec($"PRAGMA user_version = {step + 1}", tx);
            tx.Commit();
        }
    }

    public void Add(ImageRecord image, IEnumerable<(string Digest, long Size)> blobs)
    {
        using var tx = _db.BeginTransaction();
        Exec("INSERT INTO images VALUES ($m, $n, $v, $c, $s, $t, $r)", tx,
            ("$m", image.ManifestDigest), ("$n", image.Name), ("$v", image.Version), ("$c", image.ConfigDigest),
            ("$s", image.Signer), ("$t", image.AddedAt.ToString("O")), ("$r", image.RootFsBytes));
        foreach (var (digest, size) in blobs)
        {
            Exec("INSERT OR IGNORE INTO blobs VALUES ($d, $z)", tx, ("$d", digest), ("$z", size));
            Exec("INSERT OR IGNORE INTO image_blobs VALUES ($m, $d)", tx, ("$m", image.ManifestDigest), ("$d", digest));
        }
        tx.Commit();
    }

    public List<ImageRecord> Images(string? name = null)
    {
        using var cmd = Command("""
            SELECT i.manifest_digest, i.name, i.version, i.config_digest, i.signer, i.added_at, i.rootfs_bytes,
                   (SELECT COALESCE(SUM(b.size), 0) FROM image_blobs ib JOIN blobs b ON b.digest = ib.digest WHERE ib.manifest_digest = i.manifest_digest),
                   (SELECT group_concat(holder, char(10)) FROM (SELECT holder FROM holders h WHERE h.manifest_digest = i.manifest_digest ORDER BY holder))
            FROM images i WHERE $n IS NULL OR i.name = $n ORDER BY i.name, i.added_at
            """, null, ("$n", name));
        using var r = cmd.ExecuteReader();
        var list = new List<ImageRecord>();
        while (r.Read())
            list.Add(new ImageRecord(r.GetString(1), r.GetString(2), r.GetString(0), r.GetString(3), r.GetString(4),
                DateTimeOffset.Parse(r.GetString(5), System.Globalization.CultureInfo.InvariantCulture), r.GetInt64(7), r.GetInt64(6),
                r.IsDBNull(8) ? [] : r.GetString(8).Split('\n')));
        return list;
    }

    public void Hold(string manifestDigest, string holder) =>
        Exec("INSERT OR IGNORE INTO holders VALUES ($m, $h)", null, ("$m", manifestDigest), ("$h", holder));

    public void Release(string manifestDigest, string holder) =>
        Exec("DELETE FROM holders WHERE manifest_digest = $m AND holder = $h", null, ("$m", manifestDigest), ("$h", holder));

    public void Remove(string manifestDigest) => Exec("DELETE FROM images WHERE manifest_digest = $m", null, ("$m", manifestDigest));

    /// <summary>Blobs no image uses any more, forgotten by the index and returned for deletion from disk.</summary>
    public List<string> DropUnusedBlobs()
    {
        using var tx = _db.BeginTransaction();
        var unused = new List<string>();
        using (var cmd = Command("SELECT digest FROM blobs WHERE digest NOT IN (SELECT digest FROM image_blobs)", tx))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) unused.Add(r.GetString(0));
        Exec("DELETE FROM blobs WHERE digest NOT IN (SELECT digest FROM image_blobs)", tx);
        tx.Commit();
        return unused;
    }

    public HashSet<string> BlobDigests()
    {
        using var cmd = Command("SELECT digest FROM blobs", null);
        using var r = cmd.ExecuteReader();
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (r.Read()) set.Add(r.GetString(0));
        return set;
    }

    void Exec(string sql, SqliteTransaction? tx = null, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(sql, tx, args);
        cmd.ExecuteNonQuery();
    }

    object? Scalar(string sql)
    {
        using var cmd = Command(sql, null);
        return cmd.ExecuteScalar();
    }

    SqliteCommand Command(string sql, SqliteTransaction? tx, params (string Name, object? Value)[] args)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        return cmd;
    }

    public void Dispose() => _db.Dispose();
}
