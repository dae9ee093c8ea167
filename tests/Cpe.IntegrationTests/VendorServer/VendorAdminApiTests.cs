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
/// The vendor server's admin REST API and the fleet check-in over real TLS: tokens, the OpenAPI document, enrolling
/// with a published bundle, images served with Range, and a device that can only ever check in as itself.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class VendorAdminApiTests : VendorServerTest
{
    HttpClient Admin(string? token) => Server.Client(Server.AdminUrl, token: token);

    HttpClient Device(X509Certificate2 certificate) => Server.Client(Server.Url, certificate);

    static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    [Fact]
    public async Task Without_a_valid_token_the_admin_api_refuses_everything_and_the_openapi_document_is_served()
    {
        foreach (var token in new[] { null, "", "not-a-token", Server.Token + "x" })
        {
            using var client = Admin(token);
            var answer = await client.GetAsync("/api/v1/devices");
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            Assert.Equal("Bearer", answer.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PutAsync("/api/v1/devices/SIM-X", Json(new JsonObject()))).StatusCode);
        }
        using var admin = Admin(Server.Token);
        var devices = JsonNode.Parse(await admin.GetStringAsync("/api/v1/devices"))!.AsArray();
        Assert.Equal(["SIM-A", "SIM-B", "SIM-C"], devices.Select(d => d!["serial"]!.GetValue<string>()).ToArray());
        var openapi = JsonNode.Parse(await admin.GetStringAsync("/openapi/v1.json"))!;
        var paths = openapi["paths"]!.AsObject().Select(p => p.Key).ToList();
        foreach (var path in new[] { "/api/v1/devices", "/api/v1/devices/{serial}", "/api/v1/bundles", "/api/v1/images/{name}", "/api/v1/fleet/{target}" })
            Assert.Contains(path, paths);
        // The device port is not the admin port: no client certificate, no handshake.
        using var anonymous = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } }) { BaseAddress = new Uri(Server.Url) };
        await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.GetAsync("/api/v1/devices"));
    }

    [Fact]
    public async Task A_device_enrolled_with_a_published_bundle_gets_it_signed_by_the_owner_and_downloads_its_image_with_range()
    {
        using var admin = Admin(Server.Token);
        var image = RandomNumberGenerator.GetBytes(100_000);
        var put = await admin.PutAsync("/api/v1/images/fw.img?osName=cpe-firmware&osVersion=9.9", new ByteArrayContent(image));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var bundle = new JsonObject { ["name"] = "site", ["configuration"] = new JsonObject { ["schema-version"] = 1 }, ["bootImage"] = "fw.img" };
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/bundles", Json(bundle))).StatusCode);
        var voucher = new OwnershipVoucher(VendorServerProcess.Now.AddMinutes(-5), VendorServerProcess.Now.AddDays(7), "verified", "SIM-D", Server.OwnerCa.RawData)
            .Sign(VendorPki.Issue(Server.VendorCa, "CN=voucher signer", VendorServerProcess.Now.AddDays(-1), TimeSpan.FromDays(30)));
        var enroll = new JsonObject { ["bundle"] = "site", ["ownershipVoucher"] = Convert.ToBase64String(voucher), ["group"] = "branch" };
        var enrolled = await admin.PutAsync("/api/v1/devices/SIM-D", Json(enroll));
        Assert.Equal(HttpStatusCode.OK, enrolled.StatusCode);
        Assert.Equal("branch", JsonNode.Parse(await enrolled.Content.ReadAsStringAsync())!["group"]!.GetValue<string>());

        // The device side verifies what the server now gives SIM-D.
        var device = Server.Device("SIM-D");
        using var client = Device(device);
        var body = new StringContent(Encoding.UTF8.GetString(new BootstrappingRequest(true).ToJson()), Encoding.UTF8, Restconf.MediaType);
        var reply = BootstrappingReply.Parse(await (await client.PostAsync(Restconf.GetBootstrappingData, body)).Content.ReadAsByteArrayAsync());
        var content = SignedDataVerifier.Verify(reply.ConveyedInformation, reply.OwnerCertificate!, reply.OwnershipVoucher!, Server.VendorCa, "SIM-D", DateTimeOffset.UtcNow);
        var onboarding = Assert.IsType<ConveyedInformation.Onboarding>(ConveyedInformation.Parse(content));
        Assert.Equal(SHA256.HashData(image), onboarding.BootImage!.Verification.Single().Value);
        var uri = new Uri(onboarding.BootImage.DownloadUris.Single());

        using var request = new HttpRequestMessage(HttpMethod.Get, uri.PathAndQuery) { Headers = { Range = new RangeHeaderValue(60_000, null) } };
        var tail = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(image[60_000..], await tail.Content.ReadAsByteArrayAsync());
        // The server logs a download when it has finished sending it.
        JsonArray downloads = [];
        for (int i = 0; i < 50 && downloads.Count == 0; i++, await Task.Delay(20))
            downloads = JsonNode.Parse(await admin.GetStringAsync("/api/v1/images/fw.img/downloads"))!.AsArray();
        var log = downloads.Single()!;
        Assert.Equal(("SIM-D", "bytes=60000-", 206), (log["serial"]!.GetValue<string>(), log["range"]!.GetValue<string>(), log["status"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_check_in_answer_is_signed_by_the_owner_for_this_device_and_nonce_and_no_device_can_check_in_as_another()
    {
        using var admin = Admin(Server.Token);
        var push = new JsonObject { ["configuration"] = new JsonObject { ["schema-version"] = 1, ["system"] = new JsonObject { ["host-name"] = "a" } } };
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/api/v1/fleet/serial:SIM-A", Json(push))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/api/v1/fleet/serial:SIM-A", Json(push))).StatusCode);

        CheckInRequest Request(string serial) => new(serial, "sim", "cpe-firmware", "0.1.0", 12, 3, "ztp", 0, false, [], null, "nonce-" + serial);
        using var a = Device(Server.Device("SIM-A"));
        var answer = await a.PostAsync(FleetCheckIn.Path, new ByteArrayContent(FleetCheckIn.ToJson(Request("SIM-A"))));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        byte[] signedAnswer = await answer.Content.ReadAsByteArrayAsync();
        var verified = FleetCheckIn.Verify(signedAnswer, Server.Owner, "SIM-A", "nonce-SIM-A");
        // OpenSSL agrees: an owner-signed SignedData over the answer's JSON.
        File.WriteAllBytes(Server.Dir["answer.cms"], signedAnswer);
        PemFile.Write(Server.Dir["owner-ca"], Server.OwnerCa);
        string printed = Command.Run("openssl", ["cms", "-verify", "-inform", "DER", "-in", Server.Dir["answer.cms"], "-CAfile", Server.Dir["owner-ca.pem"], "-purpose", "any", "-binary"]);
        Assert.Contains("\"nonce\":\"nonce-SIM-A\"", printed);
        Assert.Equal((2L, "a"), (verified.Configuration!.Revision, verified.Configuration.Document["system"]!["host-name"]!.GetValue<string>()));
        // Replayed to another check-in, the same answer is refused.
        Assert.Throws<SztpVerificationException>(() => FleetCheckIn.Verify(answer.Content.ReadAsByteArrayAsync().Result, Server.Owner, "SIM-A", "another-nonce"));

        // SIM-C's certificate cannot check in as SIM-A, nor read what SIM-A would get.
        using var c = Device(Server.Device("SIM-C"));
        Assert.Equal(HttpStatusCode.Forbidden, (await c.PostAsync(FleetCheckIn.Path, new ByteArrayContent(FleetCheckIn.ToJson(Request("SIM-A"))))).StatusCode);
        var own = await c.PostAsync(FleetCheckIn.Path, new ByteArrayContent(FleetCheckIn.ToJson(Request("SIM-C"))));
        Assert.Null(FleetCheckIn.Verify(await own.Content.ReadAsByteArrayAsync(), Server.Owner, "SIM-C", "nonce-SIM-C").Configuration);
        // A certificate from another CA does not get through the handshake.
        var stranger = VendorPki.IssueDevice(VendorPki.CreateCa("CN=Other CA", VendorServerProcess.Now.AddDays(-1), TimeSpan.FromDays(30)), "SIM-A", "sim", VendorServerProcess.Now.AddDays(-1));
        using var s = Device(stranger);
        await Assert.ThrowsAsync<HttpRequestException>(() => s.PostAsync(FleetCheckIn.Path, new ByteArrayContent(FleetCheckIn.ToJson(Request("SIM-A")))));
        // Revoked through the admin API, SIM-C is refused at its next check-in (the server's in-memory view follows at once).
        var revoke = new JsonObject { ["conveyedInformation"] = Convert.ToBase64String(File.ReadAllBytes(Server.Dir["unsigned.cms"])), ["state"] = "revoked" };
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/api/v1/devices/SIM-C", Json(revoke))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await c.PostAsync(FleetCheckIn.Path, new ByteArrayContent(FleetCheckIn.ToJson(Request("SIM-C"))))).StatusCode);
        var history = JsonNode.Parse(await admin.GetStringAsync("/api/v1/devices/SIM-A/check-ins"))!.AsArray();
        Assert.Single(history);
    }

    [Fact]
    public async Task The_openapi_document_describes_each_operation_its_bearer_token_and_which_members_may_be_left_out()
    {
        using var admin = Admin(Server.Token);
        var openapi = JsonNode.Parse(await admin.GetStringAsync("/openapi/v1.json"))!;
        var scheme = openapi["components"]!["securitySchemes"]!["adminToken"]!;
        Assert.Equal(("http", "bearer"), (scheme["type"]!.GetValue<string>(), scheme["scheme"]!.GetValue<string>()));
        Assert.Contains(openapi["security"]!.AsArray(), r => r!["adminToken"] is not null);
        var operations = openapi["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => (Path: p.Key, Method: o.Key, Operation: o.Value!))).ToList();
        Assert.True(operations.Count >= 15, string.Join(", ", operations.Select(o => o.Path)));
        Assert.All(operations, o => Assert.False(string.IsNullOrEmpty(o.Operation["summary"]?.GetValue<string>()), $"{o.Method} {o.Path} has no summary"));
        // DeviceEnrollRequest: a bundle or conveyed information, the rest optional.
        var enroll = openapi["components"]!["schemas"]!["DeviceEnrollRequest"]!;
        var required = enroll["required"]?.AsArray().Select(x => x!.GetValue<string>()).ToList() ?? [];
        Assert.DoesNotContain("owner", required);
        Assert.DoesNotContain("group", required);
    }

    [Fact]
    public async Task Bundles_and_fleet_pushes_read_back_and_the_device_list_shows_each_device_s_last_check_in()
    {
        using var admin = Admin(Server.Token);
        var push = new JsonObject { ["configuration"] = new JsonObject { ["schema-version"] = 1, ["system"] = new JsonObject { ["host-name"] = "b" } } };
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/api/v1/fleet/group:branch", Json(push))).StatusCode);
        var fleet = JsonNode.Parse(await admin.GetStringAsync("/api/v1/fleet"))!.AsArray();
        var pushed = Assert.Single(fleet, f => f!["target"]!.GetValue<string>() == "group:branch")!;
        Assert.Equal("b", pushed["configuration"]!["system"]!["host-name"]!.GetValue<string>());
        Assert.Equal("merge", JsonNode.Parse(await admin.GetStringAsync("/api/v1/fleet/group:branch"))!["handling"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/fleet/group:nowhere")).StatusCode);
        var bundle = new JsonObject { ["name"] = "listed", ["configuration"] = new JsonObject { ["schema-version"] = 1 } };
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/bundles", Json(bundle))).StatusCode);
        Assert.Contains(JsonNode.Parse(await admin.GetStringAsync("/api/v1/bundles"))!.AsArray(), b => b!["name"]!.GetValue<string>() == "listed");

        using var a = Device(Server.Device("SIM-A"));
        var request = new CheckInRequest("SIM-A", "sim", "cpe-firmware", "2.1.0", 12, 7, "fleet", 0, false, [], "check-in ok", "n1");
        Assert.Equal(HttpStatusCode.OK, (await a.PostAsync(FleetCheckIn.Path, new ByteArrayContent(FleetCheckIn.ToJson(request)))).StatusCode);
        JsonNode? listed = null;
        for (int i = 0; i < 50 && listed?["lastCheckIn"] is null; i++)   // check-ins are recorded in batches
        {
            await Task.Delay(100);
            listed = JsonNode.Parse(await admin.GetStringAsync("/api/v1/devices?state=enrolled&limit=1"))!.AsArray().Single();
        }
        Assert.Equal(("SIM-A", "2.1.0", 7L), (listed!["serial"]!.GetValue<string>(), listed["lastCheckIn"]!["osVersion"]!.GetValue<string>(),
            listed["lastCheckIn"]!["configRevision"]!.GetValue<long>()));
        Assert.Empty(JsonNode.Parse(await admin.GetStringAsync("/api/v1/devices?state=revoked"))!.AsArray());
    }

    [Fact]
    public async Task A_manufacturing_batch_is_enrolled_in_one_call_all_or_nothing_each_voucher_checked()
    {
        using var admin = Admin(Server.Token);
        var bundle = new JsonObject { ["name"] = "batch", ["configuration"] = new JsonObject { ["schema-version"] = 1 } };
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/bundles", Json(bundle))).StatusCode);
        var signer = VendorPki.Issue(Server.VendorCa, "CN=voucher signer", VendorServerProcess.Now.AddDays(-1), TimeSpan.FromDays(30));
        string Voucher(string serial) => Convert.ToBase64String(new OwnershipVoucher(VendorServerProcess.Now.AddMinutes(-5), VendorServerProcess.Now.AddDays(7),
            "verified", serial, Server.OwnerCa.RawData).Sign(signer));
        JsonObject Entry(string serial, string voucher) => new() { ["serial"] = serial, ["ownershipVoucher"] = voucher, ["group"] = "batch", ["site"] = "plant-1" };

        // One voucher is for another serial number: the whole batch is refused, with the reason, and nothing is stored.
        var bad = new JsonObject { ["bundle"] = "batch", ["devices"] = new JsonArray(Entry("MB-1", Voucher("MB-1")), Entry("MB-2", Voucher("MB-9"))) };
        var refused = await admin.PostAsync("/api/v1/enrolments", Json(bad));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        string why = await refused.Content.ReadAsStringAsync();
        Assert.True(why.Contains("1 device(s) refused: MB-2: ownership voucher: is for serial number MB-9", StringComparison.Ordinal), why);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/devices/MB-1")).StatusCode);

        var good = new JsonObject { ["bundle"] = "batch", ["devices"] = new JsonArray(Entry("MB-1", Voucher("MB-1")), Entry("MB-2", Voucher("MB-2")), Entry("MB-3", Voucher("MB-3"))) };
        var enrolled = await admin.PostAsync("/api/v1/enrolments", Json(good));
        Assert.Equal(HttpStatusCode.OK, enrolled.StatusCode);
        Assert.Equal(3, JsonNode.Parse(await enrolled.Content.ReadAsStringAsync())!["enrolled"]!.GetValue<int>());
        var listed = JsonNode.Parse(await admin.GetStringAsync("/api/v1/devices?q=MB-&site=plant-1"))!.AsArray();
        Assert.Equal(["MB-1", "MB-2", "MB-3"], listed.Select(d => d!["serial"]!.GetValue<string>()));
        Assert.True(listed.All(d => d!["signed"]!.GetValue<bool>() && d["group"]!.GetValue<string>() == "batch"));
        // A device enrolled so checks in as one enrolled by itself would.
        using var device = Device(Server.Device("MB-2"));
        var checkIn = new CheckInRequest("MB-2", "sim", "cpe-firmware", "0.1.0", 10, 1, "ztp", 0, false, [], null, "n-1");
        var answer = await device.PostAsync(FleetCheckIn.Path, new ByteArrayContent(FleetCheckIn.ToJson(checkIn)) { Headers = { ContentType = new MediaTypeHeaderValue(FleetCheckIn.MediaType) } });
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/api/v1/enrolments", Json(new JsonObject { ["bundle"] = "batch", ["devices"] = new JsonArray() }))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/v1/enrolments", Json(new JsonObject { ["bundle"] = "none", ["devices"] = new JsonArray(Entry("MB-4", Voucher("MB-4"))) }))).StatusCode);
    }
}
