using Microsoft.Data.Sqlite;

namespace Cpe.VendorServer;

/// <summary>What a device is given, as enrolled.</summary>
public sealed record Enrollment(string Serial, byte[] ConveyedInformation, byte[]? OwnerCertificate, byte[]? OwnershipVoucher, DateTimeOffset EnrolledAt);

/// <summary>One progress report as the server received it.</summary>
public sealed record ProgressEntry(DateTimeOffset Time, string Serial, string ProgressType, string? Message);

/// <summary>
/// The server's SQLite database: enrolled devices with their bootstrapping data, and every progress
/// report with its time. WAL, one connection per call (SQLite's pool makes that cheap).
/// </summary>
public sealed class DeviceStore(string path)
{
    readonly string _connection = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();

    SqliteConnection Open()
    {
        var c = new SqliteConnection(_connection);
        c.Open();
        return c;
    }

    public void Migrate()
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS devices (serial TEXT PRIMARY KEY, conveyed BLOB NOT NULL, owner_certificate BLOB, voucher BLOB, enrolled_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS progress (id INTEGER PRIMARY KEY, serial TEXT NOT NULL, time TEXT NOT NULL, type TEXT NOT NULL, message TEXT);
            CREATE INDEX IF NOT EXISTS progress_by_serial ON progress (serial, id);
            """;
        cmd.ExecuteNonQuery();
    }

    public void Enroll(Enrollment e)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT OR REPLACE INTO devices VALUES ($s, $c, $o, $v, $t)";
        cmd.Parameters.AddWithValue("$s", e.Serial);
        cmd.Parameters.AddWithValue("$c", e.ConveyedInformation);
        cmd.Parameters.AddWithValue("$o", (object?)e.OwnerCertificate ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$v", (object?)e.OwnershipVoucher ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$t", e.EnrolledAt.ToString("O"));
        cmd.ExecuteNonQuery();
    }

    public Enrollment? Find(string serial)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT conveyed, owner_certificate, voucher, enrolled_at FROM devices WHERE serial = $s";
        cmd.Parameters.AddWithValue("$s", serial);
        using var r = cmd.ExecuteReader();
        if (!r.Read()) return null;
        return new Enrollment(serial, (byte[])r[0], r.IsDBNull(1) ? null : (byte[])r[1], r.IsDBNull(2) ? null : (byte[])r[2], DateTimeOffset.Parse(r.GetString(3)));
    }

    public void AddProgress(ProgressEntry p)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT INTO progress (serial, time, type, message) VALUES ($s, $t, $y, $m)";
        cmd.Parameters.AddWithValue("$s", p.Serial);
        cmd.Parameters.AddWithValue("$t", p.Time.ToString("O"));
        cmd.Parameters.AddWithValue("$y", p.ProgressType);
        cmd.Parameters.AddWithValue("$m", (object?)p.Message ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }

    public IReadOnlyList<ProgressEntry> Progress(string serial)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT time, type, message FROM progress WHERE serial = $s ORDER BY id";
        cmd.Parameters.AddWithValue("$s", serial);
        using var r = cmd.ExecuteReader();
        var list = new List<ProgressEntry>();
        while (r.Read()) list.Add(new ProgressEntry(DateTimeOffset.Parse(r.GetString(0)), serial, r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2)));
        return list;
    }
}
