using System.Diagnostics;
using System.Net;
using System.Text;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Cpe.Sztp;
using Cpe.Sztp.Tls;
using Cpe.TestKit;
using Cpe.VendorServer.Storage;

/// <summary>
/// What a device's check-in on a new TLS connection costs the server, against `openssl s_server` measured in the same
/// run on the same certificates (client certificate required): the server's CPU per connection for a full TLS 1.3
/// handshake and for a resumed one (PSK from the ticket of the device's previous connection), first with the least
/// HTTP work (a 404), then with the whole check-in (request parsed, enrolment looked up, answer signed). A resumed
/// check-in that is answered 200 proves the server still knows the device's certificate without it being sent again.
/// </summary>
static class FleetTlsBench
{
    const int Devices = 2_000, Workers = 16;

    public static async Task<JsonObject> RunAsync(TimeSpan each)
    {
        using var dir = new TempFolder("cpe-fleet-tls-");
        var fleet = BenchFleet.Create(dir, "TLS Bench");
        var serials = Enumerable.Range(0, Devices).Select(i => $"TLS-{i:D5}").ToArray();
        var certificates = serials.AsParallel().AsOrdered().Select(fleet.Device).ToArray();
        var result = new JsonObject();

        // openssl s_server: the TLS library alone, one process, requiring the client certificate (-Verify), answering a status page.
        int sslPort = ServerBench.FreePort();
        await using (var sServer = LoggedProcess.Start("openssl", ["s_server", "-accept", $"127.0.0.1:{sslPort}", "-cert", dir["server.pem"], "-key", dir["server.key"],
            "-CAfile", dir["vendor-ca.pem"], "-Verify", "2", "-tls1_3", "-www", "-quiet"], dir["s_server.log"]))
        {
            await ServerBench.WaitForPortAsync(sslPort, sServer);
            foreach (bool resume in new[] { false, true })
                result[resume ? "openssl_s_server_resumed" : "openssl_s_server_full"] =
                    await LoadAsync(sServer.Process.Id, sslPort, certificates, serials, resume, each, "GET", _ => "/", null, _ => []);
        }

        // The vendor server on SQLite with the devices enrolled.
        fleet.Enroll(dir["server.db"], serials);
        int port = ServerBench.FreePort();
        await using (var server = await fleet.ServeAsync(dir["server.db"], port))
        {
            PemFile.Write(dir["device"], certificates[0]);
            result["resumption_by_openssl_s_client"] = await ResumptionProbeAsync(port, dir, serials[0]);
            foreach (bool resume in new[] { false, true })
                result[resume ? "vendor_server_404_resumed" : "vendor_server_404_full"] =
                    await LoadAsync(server.Process.Id, port, certificates, serials, resume, each, "GET", _ => "/nothing-here", null, _ => []);
            foreach (bool resume in new[] { false, true })
                result[resume ? "vendor_server_check_in_resumed" : "vendor_server_check_in_full"] =
                    await LoadAsync(server.Process.Id, port, certificates, serials, resume, each, "POST", _ => FleetCheckIn.Path, FleetCheckIn.MediaType,
                        s => FleetCheckIn.ToJson(new CheckInRequest(s, "sim", "cpe-firmware", "1.0.0", 100, 1, "fleet", 0, false, [], null, Guid.NewGuid().ToString("N"))));
        }
        return result;
    }

    /// <summary>
    /// Two check-ins of one device with `openssl s_client`, the second resuming the first's session (-sess_in): whether
    /// the server resumed it, and whether the check-in on the resumed session was answered as the device's.
    /// </summary>
    static async Task<JsonObject> ResumptionProbeAsync(int port, TempFolder dir, string serial)
    {
        var result = new JsonObject();
        foreach (var (name, session) in new[] { ("first", "-sess_out"), ("second", "-sess_in") })
        {
            byte[] body = FleetCheckIn.ToJson(new CheckInRequest(serial, "sim", "cpe-firmware", "1.0.0", 100, 1, "fleet", 0, false, [], null, Guid.NewGuid().ToString("N")));
            var request = Encoding.ASCII.GetBytes($"POST {FleetCheckIn.Path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: {FleetCheckIn.MediaType}\r\nContent-Length: {body.Length}\r\n\r\n");
            var start = new ProcessStartInfo("openssl", ["s_client", "-connect", $"127.0.0.1:{port}", "-tls1_3", "-cert", dir["device.pem"], "-key", dir["device.key"],
                session, dir["session.pem"], "-ign_eof"])
            { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            using var client = Process.Start(start)!;
            await client.StandardInput.BaseStream.WriteAsync(request.Concat(body).ToArray());
            await client.StandardInput.BaseStream.FlushAsync();
            var output = client.StandardOutput.ReadToEndAsync();
            await client.WaitForExitAsync();
            string text = await output;
            result[name] = new JsonObject
            {
                ["session"] = text.Contains("Reused, TLSv1.3") ? "resumed" : text.Contains("New, TLSv1.3") ? "new" : "unknown",
                ["http_status"] = System.Text.RegularExpressions.Regex.Match(text, @"HTTP/1\.1 (\d{3})") is { Success: true } m ? int.Parse(m.Groups[1].Value) : null,
            };
        }
        return result;
    }

    /// <summary>
    /// <see cref="Workers"/> devices at a time, each request on a new connection, for <paramref name="run"/>: connections
    /// per second, the server process's CPU per connection, and how many answers had each status.
    /// </summary>
    static async Task<JsonObject> LoadAsync(int serverPid, int port, X509Certificate2[] certificates, string[] serials, bool resume, TimeSpan run,
        string method, Func<string, string> path, string? contentType, Func<string, byte[]> body)
    {
        var identities = certificates.Select(c => new ResumingTlsClient(c, resume)).ToArray();
        var endpoint = new Uri($"https://127.0.0.1:{port}");
        var timeout = TimeSpan.FromSeconds(10);
        if (resume)   // one connection each first, so every device has a session to resume
            await Parallel.ForEachAsync(Enumerable.Range(0, identities.Length), new ParallelOptions { MaxDegreeOfParallelism = Workers }, async (i, ct) =>
                await identities[i].RequestAsync(method, endpoint, path(serials[i]), contentType, body(serials[i]), timeout, ct));
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        int done = 0, cursor = -1, failed = 0, resumed = 0;
        long cpuBefore = VnfBench.CpuTicks(serverPid);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(async _ =>
        {
            while (clock.Elapsed < run)
            {
                int i = Interlocked.Increment(ref cursor) % identities.Length;
                try
                {
                    var answer = await identities[i].RequestAsync(method, endpoint, path(serials[i]), contentType, body(serials[i]), timeout);
                    statuses.AddOrUpdate(answer.Status, 1, (_, n) => n + 1);
                    Interlocked.Increment(ref done);
                    if (identities[i].LastResumed) Interlocked.Increment(ref resumed);
                }
                catch (Exception e) when (e is IOException or TimeoutException)   // the client turns socket errors into IOException
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }));
        double seconds = clock.Elapsed.TotalSeconds;
        foreach (var identity in identities) identity.Dispose();
        long ticks = VnfBench.CpuTicks(serverPid) - cpuBefore;
        var byStatus = new JsonObject();
        foreach (var (status, count) in statuses.OrderBy(s => s.Key)) byStatus[status.ToString()] = count;
        return new JsonObject
        {
            ["connections"] = done,
            ["failed"] = failed,
            ["resumed"] = resumed,
            ["per_second"] = Math.Round(done / seconds),
            ["server_cpu_ms_per_connection"] = done == 0 ? null : Math.Round(ticks * 10.0 / done, 3),
            ["statuses"] = byStatus,
        };
    }
}
