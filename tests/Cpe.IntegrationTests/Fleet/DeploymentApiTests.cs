using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cpe.IntegrationTests.VendorServer;
using Cpe.Sztp;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Fleet;

/// <summary>
/// Deployments through the real server over real TLS, with simulated devices that check in as the agent does: phases,
/// bake times, the halt within the check-in that crossed the threshold and its rollback, resume, windows in each site's
/// time zone, site download limits, install reports and fallbacks; and the roles and audit log around them.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class DeploymentApiTests : VendorServerTest
{
    HttpClient Admin(string? token = null) => Server.Client(Server.AdminUrl, token: token ?? Server.Token);

    static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    static JsonObject HostName(string name) => new() { ["schema-version"] = 1, ["system"] = new JsonObject { ["host-name"] = name } };

    /// <summary>Enrols simulated devices (unsigned conveyed information) with a group and site, over the admin API.</summary>
    async Task<SimulatedDevice[]> EnrollAsync(string group, string? site, params string[] serials)
    {
        using var admin = Admin();
        var devices = new List<SimulatedDevice>();
        foreach (var serial in serials)
        {
            var body = new JsonObject
            {
                ["conveyedInformation"] = Convert.ToBase64String(File.ReadAllBytes(Server.Dir["unsigned.cms"])),
                ["group"] = group, ["site"] = site, ["labels"] = new JsonArray("lab"),
            };
            var answer = await admin.PutAsync($"/api/v1/devices/{serial}", Json(body));
            Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
            devices.Add(new SimulatedDevice(serial, Server.Device(serial), Server.Owner));
        }
        return [.. devices];
    }

    async Task<JsonNode> CreateAsync(JsonObject spec, string? token = null)
    {
        using var admin = Admin(token);
        var answer = await admin.PostAsync("/api/v1/deployments", Json(spec));
        string body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.Created, body);
        return JsonNode.Parse(body)!;
    }

    async Task<JsonNode> GetAsync(string path)
    {
        using var admin = Admin();
        return JsonNode.Parse(await admin.GetStringAsync(path))!;
    }

    async Task<string> StateOf(long deployment, string serial) =>
        (await GetAsync($"/api/v1/deployments/{deployment}/devices?limit=1000")).AsArray().Single(d => d!["serial"]!.GetValue<string>() == serial)!["state"]!.GetValue<string>();

    static async Task<CheckInAnswer> CheckIn(SimulatedDevice d, string url)
    {
        return await d.CheckInAsync(url);
    }

    static Task Eventually(Func<Task<bool>> condition, string what) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(15), what, TimeSpan.FromMilliseconds(200));

    [Fact]
    public async Task A_phased_configuration_deployment_bakes_promotes_completes_and_a_box_that_comes_later_joins_it()
    {
        var devices = await EnrollAsync("branch", null, "BR-1", "BR-2", "BR-3");
        var created = await CreateAsync(new JsonObject
        {
            ["name"] = "host-names", ["configuration"] = HostName("branch-x"), ["target"] = new JsonObject { ["group"] = "branch" },
            ["phases"] = new JsonArray(new JsonObject { ["count"] = 1, ["bakeSeconds"] = 2 }, new JsonObject { ["percent"] = 100, ["bakeSeconds"] = 0 }),
        });
        long id = created["id"]!.GetValue<long>();
        long revision = created["configRevision"]!.GetValue<long>();
        Assert.Equal((3L, 1), (created["targetSize"]!.GetValue<long>(), created["phase"]!.GetValue<int>()));

        var first = await CheckIn(devices[0], Server.Url);
        Assert.Equal(revision, first.Configuration!.Revision);   // started: told at once, in this very answer
        Assert.Null((await CheckIn(devices[1], Server.Url)).Configuration);   // phase 1 is full
        Assert.Equal("pending", await StateOf(id, "BR-2"));
        await CheckIn(devices[0], Server.Url);   // reports the revision, unconfirmed: still installing; confirms it
        Assert.Equal("installing", await StateOf(id, "BR-1"));
        await CheckIn(devices[0], Server.Url);   // runs it, confirmed: the bake time starts
        Assert.Equal("verifying", await StateOf(id, "BR-1"));
        await Task.Delay(2100);
        await CheckIn(devices[0], Server.Url);
        Assert.Equal("succeeded", await StateOf(id, "BR-1"));
        await Eventually(async () => (await GetAsync($"/api/v1/deployments/{id}"))["phase"]!.GetValue<int>() == 2, "phase 2 after phase 1's bake time");

        foreach (var d in devices[1..]) for (int i = 0; i < 3; i++) await CheckIn(d, Server.Url);
        await Eventually(async () => (await GetAsync($"/api/v1/deployments/{id}"))["status"]!.GetValue<string>() == "completed", "completed");
        var view = await GetAsync($"/api/v1/deployments/{id}");
        Assert.Equal(3, view["devices"]!["succeeded"]!.GetValue<long>());
        Assert.Equal([1L, 2L], view["phases"]!.AsArray().Select(p => p!["joined"]!.GetValue<long>()));
        // A box enrolled afterwards (it finished zero-touch just now) joins at its first check-in and gets the configuration.
        var late = (await EnrollAsync("branch", null, "BR-4"))[0];
        Assert.Equal(revision, (await CheckIn(late, Server.Url)).Configuration!.Revision);
        await CheckIn(late, Server.Url);
        await CheckIn(late, Server.Url);
        Assert.Equal("succeeded", await StateOf(id, "BR-4"));
        var history = (await GetAsync("/api/v1/devices/BR-4/deployments")).AsArray();
        Assert.Equal(("succeeded", 2), (history[0]!["state"]!.GetValue<string>(), history[0]!["phase"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_failure_halts_the_deployment_within_its_check_in_rolls_the_phase_back_and_resume_goes_on()
    {
        var devices = await EnrollAsync("shops", null, "SH-1", "SH-2", "SH-3");
        devices[1].RefuseConfiguration = true;
        var created = await CreateAsync(new JsonObject
        {
            ["name"] = "bad-push", ["configuration"] = HostName("shop-x"), ["target"] = new JsonObject { ["serials"] = new JsonArray("SH-1", "SH-2", "SH-3") },
            ["phases"] = new JsonArray(new JsonObject { ["count"] = 2, ["bakeSeconds"] = 60 }, new JsonObject { ["percent"] = 100 }),
            ["errorThreshold"] = new JsonObject { ["count"] = 1 }, ["rollbackOnHalt"] = true,
        });
        long id = created["id"]!.GetValue<long>(), revision = created["configRevision"]!.GetValue<long>();
        await CheckIn(devices[0], Server.Url);
        await CheckIn(devices[0], Server.Url);
        await CheckIn(devices[0], Server.Url);
        Assert.Equal("verifying", await StateOf(id, "SH-1"));
        await CheckIn(devices[1], Server.Url);   // told the revision; refuses it
        await CheckIn(devices[1], Server.Url);   // reports the refusal: failed, and the threshold of 1 is crossed
        // Halted by the check-in that crossed the threshold, not by a later scan.
        var halted = await GetAsync($"/api/v1/deployments/{id}");
        Assert.Equal("halted", halted["status"]!.GetValue<string>());
        Assert.Equal("phase 1: 1 device(s) failed (threshold 1)", halted["reason"]!.GetValue<string>());
        Assert.True(halted["phases"]![0]!["rolledBack"]!.GetValue<bool>());
        long rollback = halted["rollbackRevision"]!.GetValue<long>();

        // The phase goes back: the box that took it is told to restore what it ran before.
        var back = await CheckIn(devices[0], Server.Url);
        Assert.Equal(("restore", rollback, (long?)revision), (back.Configuration!.Handling, back.Configuration.Revision, back.Configuration.RestoreBefore));
        await CheckIn(devices[0], Server.Url);   // runs the restore, unconfirmed; confirms it
        Assert.Equal("rolling-back", await StateOf(id, "SH-1"));
        await CheckIn(devices[0], Server.Url);
        Assert.Equal("rolled-back", await StateOf(id, "SH-1"));
        var failed = (await GetAsync($"/api/v1/deployments/{id}/devices?state=rolling-back")).AsArray().Concat((await GetAsync($"/api/v1/deployments/{id}/devices?state=rolled-back")).AsArray());
        Assert.Contains(failed, d => d!["serial"]!.GetValue<string>() == "SH-2" && d["reason"]!.GetValue<string>().Contains("commit refused"));
        // Nobody else starts while it is halted.
        Assert.Null((await CheckIn(devices[2], Server.Url)).Configuration);

        using var admin = Admin();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/deployments/{id}/resume", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/v1/deployments/{id}/resume", null)).StatusCode);
        // The box that refused never applied the revision: its restore is done at once, and the phase is finished.
        Assert.Equal("restore", (await CheckIn(devices[1], Server.Url)).Configuration!.Handling);
        await CheckIn(devices[1], Server.Url);
        Assert.Equal("rolled-back", await StateOf(id, "SH-2"));
        await Eventually(async () => (await GetAsync($"/api/v1/deployments/{id}"))["phase"]!.GetValue<int>() == 2, "phase 2 after the resume");
        Assert.Equal(revision, (await CheckIn(devices[2], Server.Url)).Configuration!.Revision);
    }

    [Fact]
    public async Task Each_site_waits_for_the_window_in_its_own_time_zone_and_its_download_limit()
    {
        using var admin = Admin();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/api/v1/sites/tokyo", Json(new JsonObject { ["timeZone"] = "Asia/Tokyo" }))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/api/v1/sites/paris", Json(new JsonObject { ["timeZone"] = "Europe/Paris" }))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsync("/api/v1/sites/mars", Json(new JsonObject { ["timeZone"] = "Mars/Olympus" }))).StatusCode);
        var tokyo = await EnrollAsync("win", "tokyo", "TK-1", "TK-2");
        var paris = await EnrollAsync("win", "paris", "PA-1");
        var image = System.Security.Cryptography.RandomNumberGenerator.GetBytes(10_000);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/api/v1/images/fw-2.0.0.cpeb?osName=cpe-firmware&osVersion=2.0.0", new ByteArrayContent(image))).StatusCode);
        // Open now in Tokyo (an hour either side of its local time), so closed in Paris, eight hours behind.
        var tokyoNow = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo"));
        string start = tokyoNow.AddHours(-1).ToString("HH:mm"), end = tokyoNow.AddHours(1).ToString("HH:mm");
        var created = await CreateAsync(new JsonObject
        {
            ["name"] = "fw-2", ["firmware"] = "fw-2.0.0.cpeb", ["target"] = new JsonObject { ["group"] = "win" },
            ["phases"] = new JsonArray(new JsonObject { ["percent"] = 100, ["bakeSeconds"] = 0 }), ["errorThreshold"] = new JsonObject { ["count"] = 5 },
            ["siteConcurrentDownloads"] = 1, ["window"] = new JsonObject { ["start"] = start, ["end"] = end },
        });
        long id = created["id"]!.GetValue<long>();

        Assert.Equal("2.0.0", (await CheckIn(tokyo[0], Server.Url)).Firmware!.Version);
        Assert.Null((await CheckIn(tokyo[1], Server.Url)).Firmware);   // Tokyo's one download is running
        var waiting = (await GetAsync($"/api/v1/deployments/{id}/devices")).AsArray().ToDictionary(d => d!["serial"]!.GetValue<string>());
        Assert.Equal(("pending", "site tokyo has 1 download(s) running, its limit"), (waiting["TK-2"]!["state"]!.GetValue<string>(), waiting["TK-2"]!["reason"]!.GetValue<string>()));
        Assert.Null((await CheckIn(paris[0], Server.Url)).Firmware);
        var parisOpens = Cpe.VendorServer.Deployments.MaintenanceWindow.NextOpening(new(start, end), TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"), DateTimeOffset.UtcNow)!.Value;
        Assert.Equal("scheduled", await StateOf(id, "PA-1"));
        Assert.Contains($"opens at {parisOpens.UtcDateTime:yyyy-MM-dd HH:mm} UTC", (await GetAsync($"/api/v1/deployments/{id}/devices")).AsArray()
            .Single(d => d!["serial"]!.GetValue<string>() == "PA-1")!["reason"]!.GetValue<string>());

        // TK-1 reports its install as it goes (it does not check in then), then boots 2.0.0.
        using (var device = tokyo[0].Client(Server.Url))
            foreach (var (state, expected) in new[] { ("writing", "downloading"), ("checking", "installing"), ("installed", "rebooting") })
            {
                var report = new InstallReport("TK-1", "2.0.0", state, 6000, 4000, 3, 8);
                var posted = await device.PostAsync(FleetCheckIn.InstallPath, new ByteArrayContent(FleetCheckIn.ToJson(report)));
                Assert.Equal(HttpStatusCode.NoContent, posted.StatusCode);
                Assert.Equal(expected, await StateOf(id, "TK-1"));
            }
        Assert.Equal(10_000, (await GetAsync($"/api/v1/deployments/{id}/devices")).AsArray().Single(d => d!["serial"]!.GetValue<string>() == "TK-1")!["bytes"]!.GetValue<long>());
        await CheckIn(tokyo[0], Server.Url);   // runs 2.0.0, marked good; no bake time: done
        Assert.Equal("succeeded", await StateOf(id, "TK-1"));
        // Its download slot is free: TK-2 starts, and falls back.
        tokyo[1].FallBackFrom.Add("2.0.0");
        Assert.Equal("2.0.0", (await CheckIn(tokyo[1], Server.Url)).Firmware!.Version);
        await CheckIn(tokyo[1], Server.Url);
        var fell = (await GetAsync($"/api/v1/deployments/{id}/devices")).AsArray().Single(d => d!["serial"]!.GetValue<string>() == "TK-2")!;
        Assert.Equal("fell-back", fell["state"]!.GetValue<string>());
        Assert.StartsWith("fell back from slot b after 3 attempt(s)", fell["reason"]!.GetValue<string>());
        Assert.Equal("1.0.0", fell["before"]!["osVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Roles_limit_what_a_token_may_do_and_every_action_lands_in_the_audit_log()
    {
        await EnrollAsync("roles", null, "RO-1");
        using var admin = Admin();
        async Task<string> Token(string name, string role)
        {
            var made = await admin.PostAsync("/api/v1/tokens", Json(new JsonObject { ["name"] = name, ["role"] = role }));
            Assert.Equal(HttpStatusCode.OK, made.StatusCode);
            return JsonNode.Parse(await made.Content.ReadAsStringAsync())!["token"]!.GetValue<string>();
        }
        string viewer = await Token("vera", "viewer"), operatorToken = await Token("otto", "operator");
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/api/v1/tokens", Json(new JsonObject { ["name"] = "x", ["role"] = "root" }))).StatusCode);
        var spec = new JsonObject { ["name"] = "roles", ["configuration"] = HostName("r"), ["target"] = new JsonObject { ["group"] = "roles" } };

        using var vera = Admin(viewer);
        Assert.Equal(HttpStatusCode.OK, (await vera.GetAsync("/api/v1/deployments")).StatusCode);
        var refused = await vera.PostAsync("/api/v1/deployments", Json(spec));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("needs the operator role; token vera is viewer", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await vera.GetAsync("/api/v1/tokens")).StatusCode);

        using var otto = Admin(operatorToken);
        var made = await otto.PostAsync("/api/v1/deployments", Json(spec));
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        long id = JsonNode.Parse(await made.Content.ReadAsStringAsync())!["id"]!.GetValue<long>();
        Assert.Equal("otto", JsonNode.Parse(await otto.GetStringAsync($"/api/v1/deployments/{id}"))!["createdBy"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await otto.PostAsync($"/api/v1/deployments/{id}/pause", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await otto.PutAsync("/api/v1/devices/RO-1", Json(new JsonObject { ["state"] = "revoked" }))).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/tokens/otto")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await otto.GetAsync("/api/v1/deployments")).StatusCode);   // revoked

        var log = JsonNode.Parse(await vera.GetStringAsync("/api/v1/audit?limit=20"))!.AsArray()
            .Select(a => $"{a!["actor"]} {a["role"]} {a["action"]} {a["status"]} {a["source"]}").ToList();
        Assert.Equal([
            "test administrator revoke 204 127.0.0.1",
            "otto operator enrol 403 127.0.0.1",
            "otto operator pause 200 127.0.0.1",
            "otto operator deploy 201 127.0.0.1",
            "vera viewer deploy 403 127.0.0.1",
        ], log.Take(5));
        var deploy = JsonNode.Parse(await vera.GetStringAsync("/api/v1/audit?action=deploy&limit=1"))!.AsArray().Single()!;
        Assert.Equal($"deployment {id} 'roles' to 1 device(s)", deploy["detail"]!.GetValue<string>());
        // Only actions are logged: reads are not, and nobody can change or delete what is there (no such API; the database refuses).
        Assert.DoesNotContain(log, l => l.Contains(" viewer ") && !l.Contains("deploy"));
    }
}
