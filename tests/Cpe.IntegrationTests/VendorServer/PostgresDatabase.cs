using Npgsql;

namespace Cpe.IntegrationTests.VendorServer;

/// <summary>
/// A fresh PostgreSQL database for one test on the server build.sh starts ($CPE_TEST_POSTGRES, a role that may create
/// databases), dropped on dispose.
/// </summary>
public sealed class PostgresDatabase : IDisposable
{
    const string Default = "Host=127.0.0.1;Port=5432;Username=cpe_test;Password=cpe_test;Database=postgres";
    readonly string _admin;

    public string Name { get; } = "cpe_test_" + Guid.NewGuid().ToString("N")[..12];
    public string ConnectionString { get; }

    public PostgresDatabase()
    {
        _admin = Environment.GetEnvironmentVariable("CPE_TEST_POSTGRES") is { Length: > 0 } s ? s : Default;
        try { Execute($"CREATE DATABASE {Name}"); }
        catch (NpgsqlException e)
        {
            throw new InvalidOperationException($"no PostgreSQL for the tests at '{_admin}' ({e.Message}); ./build.sh test installs and starts it", e);
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(_admin) { Database = Name, Pooling = true }.ToString();
    }

    void Execute(string sql)
    {
        using var c = new NpgsqlConnection(_admin);
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        Execute($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }
}
