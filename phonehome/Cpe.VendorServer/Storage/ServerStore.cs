using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Cpe.VendorServer.Storage;

/// <summary>
/// The server's database: SQLite (a file path, the default) or PostgreSQL (a connection string starting with
/// "Host=" or a postgres:// URI) for large fleets with several server instances. The same numbered migrations and
/// the same SQL run on both; the few words that differ come from <see cref="Dialect"/>. Rows are mapped by hand.
/// </summary>
public sealed partial class ServerStore
{
    readonly string _connection;

    ServerStore(string connection, bool postgres)
    {
        _connection = connection;
        IsPostgres = postgres;
    }

    public bool IsPostgres { get; }

    /// <summary>Which database this is, for the start banner: never its password.</summary>
    public string Describe()
    {
        if (!IsPostgres) return $"SQLite {new SqliteConnectionStringBuilder(_connection).DataSource}";
        var b = new NpgsqlConnectionStringBuilder(_connection);
        return $"PostgreSQL {b.Database} on {b.Host}:{b.Port} as {b.Username}";
    }

    /// <summary>How many devices are enrolled.</summary>
    public long DeviceCount() => Query("SELECT COUNT(*) FROM devices", r => Long(r, 0)).Single();

    public static ServerStore Open(string database)
    {
        if (database.StartsWith("Host=", StringComparison.OrdinalIgnoreCase) || database.StartsWith("postgres", StringComparison.OrdinalIgnoreCase))
        {
            // The same few statements run thousands of times a second: let Npgsql prepare them once per connection.
            var postgres = new NpgsqlConnectionStringBuilder(PostgresConnectionString(database));
            if (postgres.MaxAutoPrepare == 0) postgres.MaxAutoPrepare = 32;
            return new ServerStore(postgres.ToString(), postgres: true);
        }
        var sqlite = new SqliteConnectionStringBuilder { DataSource = database, Pooling = true, DefaultTimeout = 30 };
        return new ServerStore(sqlite.ToString(), postgres: false);
    }

    static string PostgresConnectionString(string database)
    {
        if (!database.StartsWith("postgres", StringComparison.OrdinalIgnoreCase)) return database;
        // postgres://user:password@host:port/database
        var uri = new Uri(database);
        var user = uri.UserInfo.Split(':', 2);
        return new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.Port > 0 ? uri.Port : 5432,
            Database = uri.AbsolutePath.Trim('/'),
            Username = Uri.UnescapeDataString(user[0]),
            Password = user.Length > 1 ? Uri.UnescapeDataString(user[1]) : null,
        }.ToString();
    }

    DbConnection Open()
    {
        DbConnection c = IsPostgres ? new NpgsqlConnection(_connection) : new SqliteConnection(_connection);
        c.Open();
        return c;
    }

    static DbCommand Command(DbConnection c, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            // A NULL's type comes from where it is used; "@x IS NULL" needs a CAST for PostgreSQL to know it.
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    int Execute(string sql, params (string, object?)[] parameters)
    {
        using var c = Open();
        using var cmd = Command(c, sql, parameters);
        return cmd.ExecuteNonQuery();
    }

    List<T> Query<T>(string sql, Func<DbDataReader, T> map, params (string, object?)[] parameters)
    {
        using var c = Open();
        using var cmd = Command(c, sql, parameters);
        using var r = cmd.ExecuteReader();
        var list = new List<T>();
        while (r.Read()) list.Add(map(r));
        return list;
    }

    /// <summary>
    /// Several statements that stand or fall together. SQLite's transactions start IMMEDIATE (Microsoft.Data.Sqlite's
    /// default), so a second writer waits at BEGIN; on PostgreSQL the work takes the row locks it needs (FOR UPDATE).
    /// </summary>
    T InTransaction<T>(Func<Transaction, T> work)
    {
        using var c = Open();
        using var tx = c.BeginTransaction();
        var result = work(new Transaction(c, tx, IsPostgres));
        tx.Commit();
        return result;
    }

    /// <summary>An open transaction's statements.</summary>
    sealed class Transaction(DbConnection c, DbTransaction tx, bool postgres)
    {
        public bool IsPostgres => postgres;

        public int Execute(string sql, params (string, object?)[] parameters)
        {
            using var cmd = Command(c, sql, parameters);
            cmd.Transaction = tx;
            return cmd.ExecuteNonQuery();
        }

        public List<T> Query<T>(string sql, Func<DbDataReader, T> map, params (string, object?)[] parameters)
        {
            using var cmd = Command(c, sql, parameters);
            cmd.Transaction = tx;
            using var r = cmd.ExecuteReader();
            var list = new List<T>();
            while (r.Read()) list.Add(map(r));
            return list;
        }
    }

    static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
    static DateTimeOffset Time(DbDataReader r, int i) => DateTimeOffset.Parse(r.GetString(i), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    static DateTimeOffset? OptionalTime(DbDataReader r, int i) => r.IsDBNull(i) ? null : Time(r, i);
    static string? OptionalString(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    static byte[]? OptionalBytes(DbDataReader r, int i) => r.IsDBNull(i) ? null : (byte[])r.GetValue(i);
    static long Long(DbDataReader r, int i) => Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);
}
