using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Cpe.Sztp;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.VendorServer;

/// <summary>
/// The vendor server against what outside testing sent it: revoked and never-enrolled devices, the admin API reached
/// through the device port, admin input that would break every later check-in, forged vouchers, hostile image names
/// and uploads larger than Kestrel's default limit.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class VendorServerHardeningTests : IAsyncLifetime
{
    VendorServerProcess Server { get; set; } = null!;

    public async Task InitializeAsync() => Server = await VendorServerProcess.StartAsync(null, "--max-image-mib", "48");
    public async Task DisposeAsync() => await Server.DisposeAsync();

    HttpClient Admin() => Server.Client(Server.AdminUrl, token: Server.Token);
    HttpClient Device(string serial) => Server.Client(Server.Url, Server.Device(serial));
    static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
    static StringContent Restconf(string body) => new(body, Encoding.UTF8, Cpe.Sztp.Restconf.MediaType);

    /// <summary>With "Expect: 100-continue", as curl sends for large bodies: a refusal arrives before the body is sent.</summary>
    async Task<HttpStatusCode> UploadAsync(string name, byte[] bytes)
    {
        using var admin = Admin();
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/images/{name}?osName=cpe-firmware&osVersion=1.0") { Content = new ByteArrayContent(bytes) };
        request.Headers.ExpectContinue = true;
        return (await admin.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task At_start_the_server_says_where_it_listens_which_database_how_many_devices_and_where_the_admin_api_is()
    {
        for (int i = 0; i < 50 && !Server.Output.Contains("signing as", StringComparison.Ordinal); i++) await Task.Delay(100);
        string banner = Server.Output;
        Assert.Contains($"cpe-vendor-server: devices at {Server.Url} (they are sent {Server.Url})", banner);
        Assert.Contains($"database: SQLite {Server.Database}, 3 device(s) enrolled", banner);
        Assert.Contains($"admin API: {Server.AdminUrl}/api/v1 (a token from 'cpe-vendor-server token'); OpenAPI document at {Server.AdminUrl}/openapi/v1.json", banner);
    }

    [Fact]
    public void A_wildcard_device_address_without_a_public_url_is_refused_at_start_in_one_line()
    {
        var refused = Command.Capture(Binaries.VendorServer, ["serve", "--urls", "https://0.0.0.0:8443", "--db", Server.Database,
            "--vendor-ca", Server.Dir["vendor-ca.pem"], "--tls-cert", Server.Dir["server.pem"], "--tls-key", Server.Dir["server.key"]]);
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("cpe-vendor-server: --urls https://0.0.0.0:8443/ listens on every address", refused.Error);
        Assert.Single(refused.Error.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_revoked_or_never_enrolled_device_gets_nothing_from_any_device_endpoint()
    {
        Assert.Equal(HttpStatusCode.OK, await UploadAsync("fw.img", RandomNumberGenerator.GetBytes(1000)));
        using var admin = Admin();
        var revoke = new JsonObject { ["conveyedInformation"] = Convert.ToBase64String(File.ReadAllBytes(Server.Dir["unsigned.cms"])), ["state"] = "revoked" };
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/api/v1/devices/SIM-C", Json(revoke.ToJsonString()))).StatusCode);
        foreach (var serial in new[] { "SIM-C" /* revoked */, "SIM-NEVER" /* a valid IDevID, never enrolled */ })
        {
            using var device = Device(serial);
            Assert.Equal(HttpStatusCode.NotFound, (await device.PostAsync(Cpe.Sztp.Restconf.GetBootstrappingData, Restconf("{}"))).StatusCode);
            var progress = """{"ietf-sztp-bootstrap-server:input":{"progress-type":"bootstrap-initiated"}}""";
            Assert.Equal(HttpStatusCode.NotFound, (await device.PostAsync(Cpe.Sztp.Restconf.ReportProgress, Restconf(progress))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await device.GetAsync("/images/fw.img")).StatusCode);
        }
        using var enrolled = Device("SIM-B");
        Assert.Equal(HttpStatusCode.OK, (await enrolled.GetAsync("/images/fw.img")).StatusCode);
        // The server logs a download when it has finished sending it.
        JsonArray downloads = [];
        for (int i = 0; i < 50 && downloads.Count < 3; i++, await Task.Delay(20))
            downloads = JsonNode.Parse(await admin.GetStringAsync("/api/v1/images/fw.img/downloads"))!.AsArray();
        Assert.Equal(["SIM-B 200", "SIM-C 404", "SIM-NEVER 404"], downloads.Select(d => $"{d!["serial"]} {d["status"]}").Order().ToArray());
    }

    [Fact]
    public async Task The_admin_api_and_its_openapi_document_do_not_answer_on_the_device_port_whatever_the_host_header()
    {
        using var device = Device("SIM-A");
        foreach (var path in new[] { "/api/v1/devices", "/openapi/v1.json" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = new Uri(Server.AdminUrl).Authority;
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Server.Token);
            Assert.Equal(HttpStatusCode.NotFound, (await device.SendAsync(request)).StatusCode);
        }
        using var admin = Admin();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/devices")).StatusCode);
    }

    [Theory]
    [InlineData("""{"configuration":{},"vnfs":[{"name":1}]}""", "vnfs must be an array")]
    [InlineData("""{"configuration":{},"vnfs":[null]}""", "vnfs must be an array")]
    [InlineData("""{"configuration":{},"vnfs":[{"name":"fw","version":"1"},{"name":"fw","version":"2"}]}""", "more than once")]
    [InlineData("""{"configuration":{"system":{"host-name":"bad name"}}}""", "system host-name: 'bad name' must be a host name")]
    [InlineData("""{}""", null)]
    [InlineData("""{"configuration":{},"configuration":{}}""", null)]
    public async Task Fleet_input_that_would_break_check_ins_is_refused_at_the_admin_api(string body, string? why)
    {
        using var admin = Admin();
        var answer = await admin.PutAsync("/api/v1/fleet/serial:SIM-A", Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        if (why is not null) Assert.Contains(why, await answer.Content.ReadAsStringAsync());
        // And the device's check-in still works.
        using var device = Device("SIM-A");
        var request = new CheckInRequest("SIM-A", "sim", "cpe-firmware", "0.1.0", 1, 0, "ztp", 0, false, [], null, "n");
        Assert.Equal(HttpStatusCode.OK, (await device.PostAsync(FleetCheckIn.Path, new ByteArrayContent(FleetCheckIn.ToJson(request)))).StatusCode);
    }

    [Fact]
    public async Task Bundles_need_a_name_a_valid_configuration_and_are_never_replaced()
    {
        using var admin = Admin();
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/api/v1/bundles", Json("""{"name":null}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/api/v1/bundles", Json("""{"configuration":{}}"""))).StatusCode);
        var invalid = await admin.PostAsync("/api/v1/bundles", Json("""{"name":"site","configuration":{"system":{"colour":"blue"}}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("system colour: unknown element", await invalid.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/bundles", Json("""{"name":"site","configuration":{"system":{"host-name":"a"}}}"""))).StatusCode);
        var again = await admin.PostAsync("/api/v1/bundles", Json("""{"name":"site","configuration":{"system":{"host-name":"b"}}}"""));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task A_voucher_that_is_not_one_or_names_another_serial_is_refused_at_enrolment()
    {
        using var admin = Admin();
        string conveyed = Convert.ToBase64String(File.ReadAllBytes(Server.Dir["conveyed.cms"]));
        string owner = Convert.ToBase64String(File.ReadAllBytes(Server.Dir["owner.cms"]));
        string voucherForA = Convert.ToBase64String(File.ReadAllBytes(Server.Dir["voucher-SIM-A.cms"]));
        string random = Convert.ToBase64String(RandomNumberGenerator.GetBytes(300));
        foreach (var voucher in new[] { random, voucherForA })
        {
            var body = $$"""{"conveyedInformation":"{{conveyed}}","ownerCertificate":"{{owner}}","ownershipVoucher":"{{voucher}}"}""";
            var answer = await admin.PutAsync("/api/v1/devices/SIM-Q", Json(body));
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/devices/SIM-Q")).StatusCode);
        // The same check on the command line: a voucher for SIM-A does not enroll SIM-Q.
        var psi = new System.Diagnostics.ProcessStartInfo(Binaries.VendorServer, ["enroll", "--db", Server.Database, "--serial", "SIM-Q", "--conveyed", Server.Dir["conveyed.cms"],
            "--owner-certificate", Server.Dir["owner.cms"], "--voucher", Server.Dir["voucher-SIM-A.cms"], "--vendor-ca", Server.Dir["vendor-ca.pem"]])
        { RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.Equal(1, p.ExitCode);
        Assert.Contains("not enrolled", error);
        File.WriteAllBytes(Server.Dir["corrupt.cms"], RandomNumberGenerator.GetBytes(64));
        var corrupt = Command.Run("/bin/sh", ["-c", $"{Binaries.VendorServer} enroll --db {Server.Database} --serial SIM-R --conveyed {Server.Dir["corrupt.cms"]} 2>&1; echo rc=$?"]);
        Assert.Contains("rc=1", corrupt);
    }

    [Fact]
    public async Task Image_names_are_plain_and_bounded_and_uploads_past_kestrels_default_stream_up_to_the_ceiling()
    {
        Assert.Equal(HttpStatusCode.BadRequest, await UploadAsync(new string('a', 300), [1]));
        Assert.Equal(HttpStatusCode.BadRequest, await UploadAsync(".uploads", [1]));
        Assert.Equal(HttpStatusCode.OK, await UploadAsync("fw.img.upload", [1, 2, 3]));   // no longer a temporary file's name

        var big = new byte[40 << 20];   // over Kestrel's 30 MB default
        RandomNumberGenerator.Fill(big.AsSpan(0, 4096));
        Assert.Equal(HttpStatusCode.OK, await UploadAsync("big.img", big));
        Assert.Equal(big.Length, new FileInfo(Server.Dir["images/big.img"]).Length);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await UploadAsync("huge.img", new byte[50 << 20]));
        Assert.False(File.Exists(Server.Dir["images/huge.img"]));
        Assert.Empty(Directory.EnumerateFiles(Server.Dir["images/.uploads"]));

        // An unknown Range unit is ignored (RFC 9110 §14.2): the whole image, 200.
        using var device = Device("SIM-B");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/images/fw.img.upload");
        request.Headers.TryAddWithoutValidation("Range", "items=0-1");
        var answer = await device.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal([1, 2, 3], await answer.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_devices_own_push_after_its_groups_is_newer_and_check_ins_are_bounded()
    {
        using var admin = Admin();
        // SIM-A is in no group here: enrol it into one, push to the group, then to the device itself.
        var enroll = new JsonObject { ["conveyedInformation"] = Convert.ToBase64String(File.ReadAllBytes(Server.Dir["unsigned.cms"])), ["group"] = "branch" };
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/api/v1/devices/SIM-C", Json(enroll.ToJsonString()))).StatusCode);
        for (int i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/api/v1/fleet/group:branch", Json("{\"configuration\":{\"system\":{\"host-name\":\"group-" + i + "\"}}}"))).StatusCode);
        var own = JsonNode.Parse(await (await admin.PutAsync("/api/v1/fleet/serial:SIM-C", Json("""{"configuration":{"system":{"host-name":"own"}}}"""))).Content.ReadAsStringAsync())!;
        Assert.Equal(4, own["revision"]!.GetValue<long>());   // one fleet-wide sequence: newer than the group's 3, which SIM-C already ran

        using var device = Device("SIM-C");
        var request = new CheckInRequest("SIM-C", "sim", "cpe-firmware", "0.1.0", 1, 0, "fleet", 3, false, [], null, "nonce-c");
        var answer = await device.PostAsync(FleetCheckIn.Path, new ByteArrayContent(FleetCheckIn.ToJson(request)));
        var verified = FleetCheckIn.Verify(await answer.Content.ReadAsByteArrayAsync(), Server.Owner, "SIM-C", "nonce-c");
        Assert.Equal((4L, "own"), (verified.Configuration!.Revision, verified.Configuration.Document["system"]!["host-name"]!.GetValue<string>()));

        // A check-in carrying 300 KB of inventory is refused, not stored.
        var big = request with { Nonce = "nonce-big", Inventory = new JsonObject { ["junk"] = new string('x', 300 * 1024) } };
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await device.PostAsync(FleetCheckIn.Path, new ByteArrayContent(FleetCheckIn.ToJson(big)))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/devices/SIM-C/inventory")).StatusCode);
    }

    [Fact]
    public void A_relative_images_folder_is_taken_as_absolute_once_at_start()
    {
        // Resolved later, a relative folder would depend on the working directory when a download is served.
        var options = Cpe.VendorServer.ServerOptions.From(new Cpe.VendorServer.CommandLine(["serve", "--urls", "https://127.0.0.1:1", "--db", Server.Database,
            "--vendor-ca", Server.Dir["vendor-ca.pem"], "--tls-cert", Server.Dir["server.pem"], "--tls-key", Server.Dir["server.key"], "--images", "relative/images"]));
        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "relative", "images"), options.Images);
    }
}
