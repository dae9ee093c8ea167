using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cpe.Sztp;
using Cpe.TestKit;
using Npgsql;

/// <summary>
/// The fleet at scale (issue 17 item 5): PostgreSQL, two stateless cpe-vendor-server instances behind HAProxy (TCP
/// pass-through: each instance terminates the devices' mTLS), a fleet enrolled in bulk through the admin API (timed),
/// then simulated devices checking in with a new TLS connection each time (resuming the device's last TLS session, as
/// the agent does; each device from its own loopback address, which HAProxy hashes to pick its instance), at the rate
/// the server sustains, while a deployment rolls out to 10 % of the fleet. Half way, one instance is killed: a check-in that fails is tried again
/// once a second later, as a box tries again at its next check-in. Recorded: enrolment time, check-ins per second,
/// p50/p99, errors, retries and check-ins lost, database size per device, each instance's RSS and CPU per check-in,
/// and the deployment's consistency afterwards.
/// </summary>
static class FleetScaleBench
{
    const string Bundle = "bench";
    const int Batch = 10_000, Workers = 48;

    public static async Task<JsonObject> RunAsync(int enrolled, int active, TimeSpan run)
    {
        string pgAdmin = Environment.GetEnvironmentVariable("CPE_TEST_POSTGRES") ?? throw new InvalidOperationException("CPE_TEST_POSTGRES is not set (./build.sh bench sets it)");
        string pgName = "cpe_scale_" + Guid.NewGuid().ToString("N")[..10];
        ServerBench.Sql(pgAdmin, $"CREATE DATABASE {pgName}");
        string db = new NpgsqlConnectionStringBuilder(pgAdmin) { Database = pgName, MaxPoolSize = 40 }.ToString();
        using var dir = new TempFolder("cpe-fleet-scale-");
        var instances = new List<LoggedProcess>();
        LoggedProcess? haproxy = null;
        try
        {
            var now = DateTimeOffset.UtcNow;
            var vendor = VendorPki.CreateCa("CN=Scale Vendor CA", now.AddDays(-1), TimeSpan.FromDays(30));
            var ownerCa = VendorPki.CreateCa("CN=Scale Owner CA", now.AddDays(-1), TimeSpan.FromDays(30));
            var owner = VendorPki.Issue(ownerCa, "CN=owner", now.AddDays(-1), TimeSpan.FromDays(20));
            var voucherSigner = VendorPki.Issue(vendor, "CN=voucher signer", now.AddDays(-1), TimeSpan.FromDays(20));
            PemFile.Write(dir["vendor-ca"], vendor);
            PemFile.Write(dir["owner"], owner);
            PemFile.Write(dir["server"], VendorPki.IssueServer(vendor, ["127.0.0.1"], now.AddDays(-1), TimeSpan.FromDays(20)));
            string server = Path.Combine(Binaries.Directory, "..", "vendor", "cpe-vendor-server");
            Command.Run(server, ["migrate", "--db", db]);
            string token = Command.Run(server, ["token", "--db", db, "--name", "bench"]).Trim();

            // Two instances on one database, and HAProxy in front of their device ports.
            var ports = Enumerable.Range(0, 2).Select(_ => (Device: ServerBench.FreePort(), Admin: ServerBench.FreePort())).ToArray();
            async Task<LoggedProcess> StartInstanceAsync(int device, int admin)
            {
                var instance = LoggedProcess.Start(server, ["serve", "--urls", $"https://127.0.0.1:{device}", "--admin-urls", $"https://127.0.0.1:{admin}",
                    "--db", db, "--vendor-ca", dir["vendor-ca.pem"], "--tls-cert", dir["server.pem"], "--tls-key", dir["server.key"],
                    "--signing-cert", dir["owner.pem"], "--signing-key", dir["owner.key"], "--check-in", "300"], dir[$"server-{device}.log"]);
                await ServerBench.WaitForPortAsync(admin, instance);
                return instance;
            }
            foreach (var (device, admin) in ports) instances.Add(await StartInstanceAsync(device, admin));
            int front = ServerBench.FreePort();
            File.WriteAllText(dir["haproxy.cfg"], $"""
                global
                    maxconn 4000
                defaults
                    mode tcp
                    retries 3
                    option redispatch
                    timeout connect 2s
                    timeout client 30s
                    timeout server 30s
                frontend devices
                    bind 127.0.0.1:{front}
                    default_backend servers
                backend servers
                    balance source
                    option tcp-check
                    server a 127.0.0.1:{ports[0].Device} check inter 500ms fall 2 rise 2
                    server b 127.0.0.1:{ports[1].Device} check inter 500ms fall 2 rise 2

                """);
            haproxy = LoggedProcess.Start("haproxy", ["-f", dir["haproxy.cfg"], "-db"], dir["haproxy.log"]);
            await ServerBench.WaitForPortAsync(front, haproxy);

            var admins = ports.Select(p => AdminClient($"https://127.0.0.1:{p.Admin}", token)).ToArray();
            await Must(admins[0].PostAsync("/api/v1/bundles", Json(new JsonObject { ["name"] = Bundle, ["configuration"] = new JsonObject { ["schema-version"] = 1 } })), "publish");

            Console.Error.WriteLine($"fleet scale: making {enrolled:N0} vouchers");
            var vouchers = new byte[enrolled][];
            Parallel.For(0, enrolled, i => vouchers[i] = new OwnershipVoucher(now, now.AddDays(7), "verified", Serial(i), ownerCa.RawData).Sign(voucherSigner));
            Console.Error.WriteLine("fleet scale: bulk enrolment through the admin API of both instances");
            var enrolClock = Stopwatch.StartNew();
            int next = 0;
            await Task.WhenAll(admins.Select(async admin =>
            {
                for (int start; (start = Interlocked.Add(ref next, Batch) - Batch) < enrolled;)
                    await Must(admin.PostAsync("/api/v1/enrolments", EnrolBody(start, Math.Min(Batch, enrolled - start), vouchers)), "enrol");
            }));
            double enrolSeconds = enrolClock.Elapsed.TotalSeconds;
            vouchers = null!;
            GC.Collect();

            Console.Error.WriteLine($"fleet scale: {active:N0} device identities");
            var devices = new SimulatedDevice[active];
            Parallel.For(0, active, i => devices[i] = new SimulatedDevice(Serial(i), VendorPki.IssueDevice(vendor, Serial(i), "sim", now.AddDays(-1)), owner));
            // Every device's check-in before the measured run (a box's of a few minutes before): its TLS session to resume.
            Console.Error.WriteLine($"fleet scale: a first check-in of each of the {active:N0} devices (full TLS handshakes)");
            var priming = await PrimeAsync(devices, $"https://127.0.0.1:{front}");
            // Between rollouts: each device checks in again on a new connection (resuming its session), no deployment running.
            Console.Error.WriteLine($"fleet scale: check-ins between rollouts for {run.TotalSeconds / 2:0} s");
            var steady = await LoadAsync(devices, $"https://127.0.0.1:{front}", run / 2, instances, kill: false);
            var deployment = JsonNode.Parse(await Must(admins[0].PostAsync("/api/v1/deployments", Json(new JsonObject
            {
                ["name"] = "tenth", ["configuration"] = new JsonObject { ["schema-version"] = 1, ["system"] = new JsonObject { ["host-name"] = "scaled" } },
                ["target"] = new JsonObject { ["group"] = "bench" },
                ["phases"] = new JsonArray(new JsonObject { ["percent"] = 10, ["bakeSeconds"] = 10 }),
                ["errorThreshold"] = new JsonObject { ["percent"] = 5, ["minimumSample"] = 100 },
            })), "deploy"))!;
            long deploymentId = deployment["id"]!.GetValue<long>(), revision = deployment["configRevision"]!.GetValue<long>();

            Console.Error.WriteLine($"fleet scale: check-ins with a new TLS connection each through HAProxy for {run.TotalSeconds:0} s, one instance killed half way");
            var load = await LoadAsync(devices, $"https://127.0.0.1:{front}", run, instances, kill: true);

            // Consistency: phase sizes kept, no device in two unfinished deployments, every "succeeded" device runs the revision.
            var view = JsonNode.Parse(await admins[0].GetStringAsync($"/api/v1/deployments/{deploymentId}"))!;
            var phase = view["phases"]![0]!;
            var members = new Dictionary<string, string>();
            for (string? after = null; ;)
            {
                var page = JsonNode.Parse(await admins[0].GetStringAsync($"/api/v1/deployments/{deploymentId}/devices?limit=1000" + (after is null ? "" : "&after=" + after)))!.AsArray();
                foreach (var m in page) members[m!["serial"]!.GetValue<string>()] = m["state"]!.GetValue<string>();
                if (page.Count < 1000) break;
                after = page[^1]!["serial"]!.GetValue<string>();
            }
            var bySerial = devices.ToDictionary(d => d.Serial);
            int wrong = members.Count(m => m.Value == "succeeded" && (!bySerial.TryGetValue(m.Key, out var d) || d.FleetRevision < revision));
            long twice = Scalar(db, "SELECT COUNT(*) FROM (SELECT serial FROM deployment_devices WHERE state NOT IN ('succeeded','failed','fell-back','already-current','skipped','cancelled','rolled-back') GROUP BY serial HAVING COUNT(*) > 1) x");
            long size = Scalar(db, "SELECT pg_database_size(current_database())");

            // Keep-alive check-ins with a million enrolled, after the consistency was read: enrolled devices the load did not play.
            Console.Error.WriteLine("fleet scale: keep-alive check-ins through HAProxy (32 devices, one connection each)");
            var resting = Enumerable.Range(Math.Min(active, enrolled - 32), 32).Select(i => (Serial(i), VendorPki.IssueDevice(vendor, Serial(i), "sim", now.AddDays(-1)))).ToArray();
            var keepAlive = await ServerBench.LoadAsync(resting, new Uri($"https://127.0.0.1:{front}"), keepAlive: true, (_, _) => FleetCheckIn.Path,
                s => FleetCheckIn.ToJson(new CheckInRequest(s, "sim", "cpe-firmware", "1.0.0", 100, 1, "fleet", 0, false, [], null, Guid.NewGuid().ToString("N"))),
                FleetCheckIn.MediaType, HttpStatusCode.OK);
            return new JsonObject
            {
                ["enrolled_devices"] = enrolled,
                ["bulk_enrolment_seconds"] = Math.Round(enrolSeconds, 1),
                ["bulk_enrolment_devices_per_second"] = Math.Round(enrolled / enrolSeconds),
                ["active_devices"] = active,
                ["first_check_ins_full_handshake"] = priming,
                ["check_in_load"] = load,
                ["check_in_load_between_rollouts"] = steady,
                ["keep_alive_check_ins"] = keepAlive,
                ["database_bytes_per_device"] = size / enrolled,
                ["deployment"] = new JsonObject
                {
                    ["status"] = view["status"]!.GetValue<string>(),
                    ["phase_size"] = phase["size"]?.GetValue<long>(),
                    ["phase_joined"] = phase["joined"]!.GetValue<long>(),
                    ["devices_by_state"] = view["devices"]!.DeepClone(),
                    ["members_read"] = members.Count,
                    ["succeeded_but_not_running_it"] = wrong,
                    ["devices_in_two_unfinished_deployments"] = twice,
                },
            };
        }
        finally
        {
            foreach (var p in instances) await p.DisposeAsync();
            if (haproxy is not null) await haproxy.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
            ServerBench.Sql(pgAdmin, $"DROP DATABASE IF EXISTS {pgName} WITH (FORCE)");
        }
    }

    static string Serial(int i) => $"SCALE-{i:D7}";

    /// <summary>Device i's own loopback address (127.1.0.1 on), as boxes come from their own addresses: HAProxy hashes it.</summary>
    static IPAddress Source(int i) => new([127, (byte)(1 + i / 62_500), (byte)(i / 250 % 250), (byte)(i % 250 + 1)]);

    /// <summary>One check-in of each device, <see cref="Workers"/> at a time: full handshakes, each device left with a session.</summary>
    static async Task<JsonObject> PrimeAsync(SimulatedDevice[] devices, string url)
    {
        int failed = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, devices.Length), new ParallelOptions { MaxDegreeOfParallelism = Workers }, async (i, ct) =>
        {
            try { await devices[i].CheckInAsync(url, ct, Source(i)); }
            catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or SztpVerificationException) { Interlocked.Increment(ref failed); }
        });
        return new JsonObject
        {
            ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
            ["check_ins_per_second"] = Math.Round(devices.Length / clock.Elapsed.TotalSeconds),
            ["failed"] = failed,
        };
    }

    /// <summary>Check-ins from <see cref="Workers"/> devices at a time, each on a new TLS connection; with <paramref name="kill"/>, instance 2 is killed half way.</summary>
    static async Task<JsonObject> LoadAsync(SimulatedDevice[] devices, string url, TimeSpan run, List<LoggedProcess> instances, bool kill)
    {
        var latencies = new List<double>[Workers];
        int errors = 0, retried = 0, lost = 0, cursor = -1, resumed = 0;
        var busy = new int[devices.Length];   // a device checks in once at a time (a flag, not a lock: the check-in awaits)
        var clock = Stopwatch.StartNew();
        var cpuBefore = instances.Select(p => CpuSeconds(p.Process.Id)).ToArray();
        var rss = new JsonObject();
        double killedAt = run.TotalSeconds / 2;
        bool killed = false;
        var killer = !kill ? Task.CompletedTask : Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(killedAt));
            rss["instance_b_rss_mib_before_kill"] = RssMib(instances[1].Process.Id);
            rss["instance_b_cpu_seconds"] = Math.Round(CpuSeconds(instances[1].Process.Id) - cpuBefore[1], 1);
            instances[1].Process.Kill();
            killed = true;
        });
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(async w =>
        {
            var mine = latencies[w] = [];
            while (clock.Elapsed < run)
            {
                int index = (Interlocked.Increment(ref cursor) & int.MaxValue) % devices.Length;
                var device = devices[index];
                if (Interlocked.Exchange(ref busy[index], 1) == 1) continue;
                try
                {
                    for (int attempt = 0; ; attempt++)
                    {
                        var started = clock.Elapsed;
                        try
                        {
                            await device.CheckInAsync(url, source: Source(index));
                            mine.Add((clock.Elapsed - started).TotalMilliseconds);
                            if (device.LastResumed) Interlocked.Increment(ref resumed);
                            break;
                        }
                        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or SztpVerificationException)
                        {
                            Interlocked.Increment(ref errors);
                            if (attempt == 1) { Interlocked.Increment(ref lost); break; }
                            Interlocked.Increment(ref retried);
                            await Task.Delay(1000);   // the box's retry
                        }
                    }
                }
                finally { Volatile.Write(ref busy[index], 0); }
            }
        }));
        await killer;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double P(double q) => all.Length == 0 ? 0 : Math.Round(all[Math.Min(all.Length - 1, (int)(q * all.Length))], 1);
        rss["instance_a_rss_mib"] = RssMib(instances[0].Process.Id);
        rss["instance_a_peak_rss_mib"] = PeakRssMib(instances[0].Process.Id);
        double cpuA = CpuSeconds(instances[0].Process.Id) - cpuBefore[0];
        if (!kill)
        {
            rss["instance_b_rss_mib"] = RssMib(instances[1].Process.Id);
            rss["instance_b_cpu_seconds"] = Math.Round(CpuSeconds(instances[1].Process.Id) - cpuBefore[1], 1);
        }
        return new JsonObject
        {
            ["workers"] = Workers,
            ["seconds"] = run.TotalSeconds,
            ["check_ins"] = all.Length,
            ["check_ins_per_second"] = Math.Round(all.Length / run.TotalSeconds),
            ["resumed_tls_sessions"] = resumed,
            ["distinct_devices_checked_in"] = Math.Min(devices.Length, cursor + 1),
            ["p50_ms"] = P(0.50),
            ["p99_ms"] = P(0.99),
            ["errors"] = errors,
            ["retried"] = retried,
            ["lost_after_retry"] = lost,
            ["instance_killed_at_seconds"] = killed ? killedAt : null,
            ["server_cpu_ms_per_check_in"] = all.Length == 0 ? null : Math.Round(1000 * (cpuA + rss["instance_b_cpu_seconds"]!.GetValue<double>()) / all.Length, 2),
            ["memory"] = rss,
        };
    }

    /// <summary>A bulk enrolment body, written directly (a million vouchers go through here).</summary>
    static ByteArrayContent EnrolBody(int start, int count, byte[][] vouchers)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("bundle", Bundle);
            w.WriteStartArray("devices");
            for (int i = start; i < start + count; i++)
            {
                w.WriteStartObject();
                w.WriteString("serial", Serial(i));
                w.WriteBase64String("ownershipVoucher", vouchers[i]);
                w.WriteString("group", "bench");
                w.WriteString("site", $"site-{i % 1000}");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    static HttpClient AdminClient(string url, string token)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        var client = new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    static async Task<string> Must(Task<HttpResponseMessage> call, string what)
    {
        using var answer = await call;
        string body = await answer.Content.ReadAsStringAsync();
        return answer.IsSuccessStatusCode ? body : throw new InvalidOperationException($"{what}: {(int)answer.StatusCode} {body[..Math.Min(body.Length, 500)]}");
    }

    /// <summary>User and system time in seconds (clock ticks are 100 a second on Linux).</summary>
    static double CpuSeconds(int pid) => VnfBench.CpuTicks(pid) / 100.0;

    static double RssMib(int pid) => StatusKib(pid, "VmRSS:") / 1024.0;
    static double PeakRssMib(int pid) => StatusKib(pid, "VmHWM:") / 1024.0;

    static long StatusKib(int pid, string field) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal))[field.Length..].Trim().Split(' ')[0],
            System.Globalization.CultureInfo.InvariantCulture);

    static long Scalar(string connection, string sql)
    {
        using var c = new NpgsqlConnection(connection);
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
