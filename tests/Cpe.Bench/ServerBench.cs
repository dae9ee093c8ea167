using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Cpe.Sztp;
using Cpe.TestKit;
using Cpe.VendorServer.Storage;
using Npgsql;

/// <summary>
/// The vendor server under load with 10,000 enrolled devices, on SQLite and on PostgreSQL: requests per second and
/// latency percentiles for get-bootstrapping-data and the fleet check-in (signed answers), from concurrent devices
/// on keep-alive mTLS connections, and for check-ins that each open a new TLS connection. Client and server share
/// this machine's cores, so the figures are what one box does for both.
/// </summary>
static class ServerBench
{
    const int Devices = 10_000, Clients = 32;
    static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1), Run = TimeSpan.FromSeconds(5);

    public static async Task<JsonObject> RunAsync()
    {
        var results = new JsonObject();
        foreach (var kind in new[] { "sqlite", "postgres" })
        {
            Console.Error.WriteLine($"server bench on {kind}");
            results[kind] = await MeasureAsync(kind);
        }
        return results;
    }

    static async Task<JsonObject> MeasureAsync(string kind)
    {
        using var dir = new TempFolder("cpe-server-bench-");
        string? pgName = null, pgAdmin = Environment.GetEnvironmentVariable("CPE_TEST_POSTGRES");
        string db = dir["server.db"];
        if (kind == "postgres")
        {
            pgName = "cpe_bench_" + Guid.NewGuid().ToString("N")[..10];
            Sql(pgAdmin!, $"CREATE DATABASE {pgName}");
            db = new NpgsqlConnectionStringBuilder(pgAdmin) { Database = pgName, MaxPoolSize = 50 }.ToString();
        }
        try
        {
            var fleet = BenchFleet.Create(dir, "Bench");
            var enrolled = Stopwatch.StartNew();
            fleet.Enroll(db, Enumerable.Range(0, Devices).Select(Serial));
            double enrollSeconds = enrolled.Elapsed.TotalSeconds;
            int port = FreePort();
            await using var server = await fleet.ServeAsync(db, port);
            var url = new Uri($"https://127.0.0.1:{port}");
            var devices = Enumerable.Range(0, Clients).Select(i => (Serial: Serial(i * (Devices / Clients)), Cert: fleet.Device(Serial(i * (Devices / Clients))))).ToArray();

            var bootstrap = await LoadAsync(devices, url, keepAlive: true, (_, _) => Restconf.GetBootstrappingData,
                _ => new BootstrappingRequest(true).ToJson(), Restconf.MediaType, HttpStatusCode.OK);
            var checkIn = await LoadAsync(devices, url, keepAlive: true, (_, _) => FleetCheckIn.Path,
                d => FleetCheckIn.ToJson(new CheckInRequest(d, "sim", "cpe-firmware", "0.1.0", 100, 2, "ztp", 0, false, [], null, Guid.NewGuid().ToString("N"))),
                FleetCheckIn.MediaType, HttpStatusCode.OK);
            var checkInNewTls = await LoadAsync(devices[..8], url, keepAlive: false, (_, _) => FleetCheckIn.Path,
                d => FleetCheckIn.ToJson(new CheckInRequest(d, "sim", "cpe-firmware", "0.1.0", 100, 2, "ztp", 0, false, [], null, Guid.NewGuid().ToString("N"))),
                FleetCheckIn.MediaType, HttpStatusCode.OK);
            return new JsonObject
            {
                ["enrolled_devices"] = Devices,
                ["enroll_seconds"] = Math.Round(enrollSeconds, 2),
                ["get_bootstrapping_data"] = bootstrap,
                ["check_in"] = checkIn,
                ["check_in_new_tls_connection_each"] = checkInNewTls,
            };
        }
        finally
        {
            if (pgName is not null)
            {
                NpgsqlConnection.ClearAllPools();
                Sql(pgAdmin!, $"DROP DATABASE IF EXISTS {pgName} WITH (FORCE)");
            }
        }
    }

    static string Serial(int i) => $"BENCH-{i:D5}";

    internal static async Task<JsonObject> LoadAsync((string Serial, X509Certificate2 Cert)[] devices, Uri url, bool keepAlive,
        Func<string, int, string> path, Func<string, byte[]> body, string mediaType, HttpStatusCode expected)
    {
        var latencies = new List<double>[devices.Length];
        int errors = 0;
        var stop = Stopwatch.StartNew();
        var total = Warmup + Run;
        var tasks = devices.Select(async (d, index) =>
        {
            var mine = latencies[index] = [];
            HttpClient? client = null;
            try
            {
                for (int n = 0; stop.Elapsed < total; n++)
                {
                    if (client is null || !keepAlive)
                    {
                        client?.Dispose();
                        var handler = new SocketsHttpHandler { PooledConnectionLifetime = keepAlive ? Timeout.InfiniteTimeSpan : TimeSpan.Zero };
                        handler.SslOptions.ClientCertificates = new X509CertificateCollection { d.Cert };
                        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
                        client = new HttpClient(handler) { BaseAddress = url };
                    }
                    using var content = new ByteArrayContent(body(d.Serial));
                    content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
                    var started = stop.Elapsed;
                    using var answer = await client.PostAsync(path(d.Serial, n), content);
                    await answer.Content.ReadAsByteArrayAsync();
                    if (answer.StatusCode != expected) Interlocked.Increment(ref errors);
                    if (started >= Warmup) mine.Add((stop.Elapsed - started).TotalMilliseconds);
                }
            }
            finally { client?.Dispose(); }
        });
        await Task.WhenAll(tasks);
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double? P(double q) => all.Length == 0 ? null : Math.Round(all[Math.Min(all.Length - 1, (int)(q * all.Length))], 2);
        return new JsonObject
        {
            ["clients"] = devices.Length,
            ["requests"] = all.Length,
            ["requests_per_second"] = Math.Round(all.Length / Run.TotalSeconds),
            ["p50_ms"] = P(0.50),
            ["p99_ms"] = P(0.99),
            ["errors"] = errors,
        };
    }

    internal static void Sql(string connection, string sql)
    {
        using var c = new NpgsqlConnection(connection);
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        cmd.ExecuteNonQuery();
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    internal static async Task WaitForPortAsync(int port, LoggedProcess server)
    {
        for (int i = 0; i < 400; i++)
        {
            if (server.Process.HasExited) throw new InvalidOperationException("the server exited: " + server.Output);
            try { using var probe = new TcpClient(); await probe.ConnectAsync(IPAddress.Loopback, port); return; }
            catch (SocketException) { await Task.Delay(50); }
        }
        throw new TimeoutException("the server did not listen: " + server.Output);
    }
}
