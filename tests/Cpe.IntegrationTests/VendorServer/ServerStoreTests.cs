using Cpe.TestKit;
using Cpe.VendorServer.Storage;

namespace Cpe.IntegrationTests.VendorServer;

/// <summary>The vendor server's store gives the same answers on SQLite and on a real PostgreSQL, from the same migrations and queries.</summary>
[Trait("Kind", "Integration")]
public sealed class ServerStoreTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Databases => ["sqlite", "postgres"];

    static void WithStore(string kind, Action<ServerStore> test)
    {
        if (kind == "sqlite")
        {
            using var dir = new TempFolder("cpe-store-");
            test(ServerStore.Open(dir["server.db"]));
        }
        else
        {
            using var db = new PostgresDatabase();
            test(ServerStore.Open(db.ConnectionString));
        }
    }

    [Theory, MemberData(nameof(Databases))]
    public void Devices_progress_check_ins_fleet_configs_images_and_tokens_round_trip(string kind) => WithStore(kind, store =>
    {
        store.Migrate();
        store.Migrate();   // idempotent
        Assert.Equal(kind == "postgres", store.IsPostgres);
        store.Enroll(new Enrollment("SIM-2", [1, 2], null, null, T0, null, "branch"));
        store.Enroll(new Enrollment("SIM-1", [3], [4], [5], T0, "Owner", "branch"));
        store.Enroll(new Enrollment("SIM-3", [6], null, null, T0, null, "hq"));
        store.Enroll(new Enrollment("SIM-1", [7], [8], [9], T0.AddDays(1), "Owner", "branch"));   // re-enrolled: replaced, not doubled
        Assert.Equal(["SIM-1", "SIM-2"], store.Devices("branch").Select(d => d.Serial).ToArray());
        Assert.Equal(["SIM-2", "SIM-3"], store.Devices(after: "SIM-1").Select(d => d.Serial).ToArray());
        var one = store.Find("SIM-1")!;
        Assert.Equal("07 08 09", $"{one.ConveyedInformation[0]:x2} {one.OwnerCertificate![0]:x2} {one.OwnershipVoucher![0]:x2}");
        Assert.Null(store.Find("SIM-9"));

        store.AddProgress(new ProgressEntry(T0, "SIM-1", "bootstrap-initiated", null));
        store.AddProgress(new ProgressEntry(T0.AddSeconds(1), "SIM-1", "bootstrap-complete", "done"));
        Assert.Equal(["bootstrap-initiated", "bootstrap-complete"], store.Progress("SIM-1").Select(p => p.ProgressType).ToArray());
        Assert.Equal(T0.AddSeconds(1), store.Progress("SIM-1")[1].Time);

        store.AddCheckIn(new CheckInEntry(T0.AddMinutes(1), "SIM-1", "0.1.0", 4, 0, null));
        store.AddCheckIn(new CheckInEntry(T0.AddMinutes(2), "SIM-1", "0.1.0", 5, 1, "fleet revision 1 confirmed"));
        Assert.Equal([1L, 0L], store.CheckIns("SIM-1").Select(c => c.FleetRevision).ToArray());
        Assert.Equal(T0.AddMinutes(2), store.Find("SIM-1")!.LastSeen);
        // A batch, as the recorder writes it: every row kept, each device's last-seen the latest of its rows, whatever their order.
        store.AddCheckIns([new CheckInEntry(T0.AddMinutes(9), "SIM-2", "0.1.0", 1, 0, null), new CheckInEntry(T0.AddMinutes(4), "SIM-1", "0.1.1", 6, 1, null),
            new CheckInEntry(T0.AddMinutes(3), "SIM-1", "0.1.0", 5, 1, "ok"), new CheckInEntry(T0.AddMinutes(8), "SIM-2", "0.1.0", 2, 0, "again")]);
        Assert.Equal(["0.1.0", "0.1.1", "0.1.0", "0.1.0"], store.CheckIns("SIM-1").Select(c => c.OsVersion).ToArray());
        Assert.Equal(["again", "(none)"], store.CheckIns("SIM-2").Select(c => c.LastResult ?? "(none)").ToArray());
        Assert.Equal((T0.AddMinutes(4), T0.AddMinutes(9)), (store.Find("SIM-1")!.LastSeen, store.Find("SIM-2")!.LastSeen));
        // An inventory is kept per device, the latest of the batch; check-ins without one leave it alone.
        Assert.Null(store.Inventory("SIM-1"));
        store.AddCheckIns([new CheckInEntry(T0.AddMinutes(10), "SIM-1", "0.1.1", 6, 1, null) { Inventory = """{"model":"old"}""" },
            new CheckInEntry(T0.AddMinutes(11), "SIM-1", "0.1.1", 6, 1, null) { Inventory = """{"model":"sim"}""" }]);
        store.AddCheckIn(new CheckInEntry(T0.AddMinutes(12), "SIM-1", "0.1.1", 6, 1, null));
        Assert.Equal("""{"model":"sim"}""", store.Inventory("SIM-1"));

        Assert.Equal(1, store.SetFleetConfig("group:branch", "merge", "{}", null, null, T0).Revision);
        Assert.Equal(2, store.SetFleetConfig("group:branch", "merge", "{\"a\":1}", null, null, T0).Revision);
        Assert.Equal("group:branch", store.CheckInView("SIM-2")!.Value.Config!.Target);
        store.SetFleetConfig("serial:SIM-2", "replace", "{}", null, "[]", T0);
        Assert.Equal(("serial:SIM-2", "replace"), (store.CheckInView("SIM-2")!.Value.Config!.Target, store.CheckInView("SIM-2")!.Value.Config!.Handling));
        Assert.Null(store.CheckInView("SIM-3")!.Value.Config);
        Assert.Null(store.CheckInView("SIM-9"));

        store.AddImage(new FirmwareImage("fw.img", "cpe-firmware", "0.2.0", "ab", 10, T0));
        store.AddDownload(new DownloadEntry(T0, "SIM-1", "fw.img", "bytes=5-", 206));
        Assert.Equal("0.2.0", store.Image("fw.img")!.OsVersion);
        Assert.Equal("bytes=5-", store.Downloads("fw.img").Single().Range);

        store.AddToken("hash", "ops", "operator", T0);
        Assert.Equal(("ops", "operator"), (store.FindToken("hash")!.Name, store.FindToken("hash")!.Role));
        Assert.Null(store.FindToken("other"));
        Assert.Equal(1, store.RevokeTokens("ops", T0));
        Assert.Null(store.FindToken("hash"));   // a revoked token no longer opens anything
        Assert.NotNull(store.TokenList().Single().RevokedAt);
        Assert.True(store.Remove("SIM-3"));
        Assert.False(store.Remove("SIM-3"));
    });
}

/// <summary>The real server on PostgreSQL, two stateless instances on one database, as a large fleet runs it.</summary>
[Trait("Kind", "Integration")]
public sealed class PostgresVendorServerTests : IAsyncLifetime
{
    readonly PostgresDatabase _db = new();
    VendorServerProcess _server = null!;
    string[] _urls = [];

    public async Task InitializeAsync()
    {
        _server = await VendorServerProcess.StartAsync(_db.ConnectionString);
        _urls = [_server.Url, await _server.StartAnotherInstanceAsync()];
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _db.Dispose();
    }

    [Fact]
    public async Task Two_instances_on_one_postgresql_database_serve_the_same_devices_and_record_into_one_history()
    {
        foreach (var url in _urls)
        {
            var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
            handler.SslOptions.ClientCertificates = new System.Security.Cryptography.X509Certificates.X509CertificateCollection { _server.Device("SIM-A") };
            using var client = new HttpClient(handler) { BaseAddress = new Uri(url) };
            var body = new StringContent(System.Text.Encoding.UTF8.GetString(new Cpe.Sztp.BootstrappingRequest(true).ToJson()), System.Text.Encoding.UTF8, Cpe.Sztp.Restconf.MediaType);
            var reply = Cpe.Sztp.BootstrappingReply.Parse(await (await client.PostAsync(Cpe.Sztp.Restconf.GetBootstrappingData, body)).Content.ReadAsByteArrayAsync());
            Cpe.Sztp.SignedDataVerifier.Verify(reply.ConveyedInformation, reply.OwnerCertificate!, reply.OwnershipVoucher!, _server.VendorCa, "SIM-A", DateTimeOffset.UtcNow);
            var report = new StringContent(System.Text.Encoding.UTF8.GetString(new Cpe.Sztp.ProgressReport("informational", url).ToJson()), System.Text.Encoding.UTF8, Cpe.Sztp.Restconf.MediaType);
            Assert.Equal(System.Net.HttpStatusCode.NoContent, (await client.PostAsync(Cpe.Sztp.Restconf.ReportProgress, report)).StatusCode);
        }
        string history = _server.Progress("SIM-A");
        Assert.Contains($"informational: {_urls[0]}", history);
        Assert.Contains($"informational: {_urls[1]}", history);
    }
}
