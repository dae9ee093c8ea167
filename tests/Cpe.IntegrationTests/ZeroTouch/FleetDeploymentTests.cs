using System.Text.Json.Nodes;
using Cpe.Api;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.ZeroTouch;

/// <summary>
/// Deployments to real boxes: cped and cpe-phonehome on simulated boards that went through zero-touch, each box behind
/// its own cpe-vendor-server instance on one shared database (stateless instances, as a large fleet runs them).
/// </summary>
[Trait("Kind", "Integration")]
public sealed class FleetDeploymentTests : IAsyncLifetime
{
    readonly List<ZeroTouchLab> _boxes = [];
    ZeroTouchLab First => _boxes[0];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var box in Enumerable.Reverse(_boxes)) await box.DisposeAsync();
    }

    /// <summary>Boxes of one fleet, enrolled in group "branch" at <paramref name="site"/>, each through zero-touch to its first check-in.</summary>
    async Task StartBoxesAsync(int count, string? site = null)
    {
        for (int i = 1; i <= count; i++)
        {
            var box = await ZeroTouchLab.StartAsync($"SIM-000{i}", fleet: _boxes.FirstOrDefault());
            _boxes.Add(box);
            box.Enroll(SiteBundle.Bundle(), group: "branch", site: site);
            await box.PowerOnAsync();
        }
        foreach (var box in _boxes)
            await box.Agent!.WaitForLineAsync(l => l.Contains("ZTP: bootstrap-complete", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "bootstrap-complete");
    }

    JsonNode Deployment(long id) => JsonNode.Parse(First.Admin("GET", $"/api/v1/deployments/{id}").Body)!;

    string StateOf(long id, string serial) => JsonNode.Parse(First.Admin("GET", $"/api/v1/deployments/{id}/devices").Body)!.AsArray()
        .SingleOrDefault(d => d!["serial"]!.GetValue<string>() == serial)?["state"]?.GetValue<string>() ?? "(not joined)";

    long Create(JsonObject spec)
    {
        var made = First.Admin("POST", "/api/v1/deployments", spec.ToJsonString());
        Assert.True(made.Status == 201, made.Body);
        return JsonNode.Parse(made.Body)!["id"]!.GetValue<long>();
    }

    static async Task<string> HostNameAsync(ZeroTouchLab box)
    {
        await using var api = await box.Cped!.ConnectAsync();
        return (await api.GetConfigAsync("active", ["system", "host-name"])).Subtree!.GetValue<string>();
    }

    static Task Eventually(Func<bool> condition, TimeSpan timeout, string what) => Poll.UntilAsync(condition, timeout, what, TimeSpan.FromMilliseconds(500));

    static JsonObject HostName(string name) => new() { ["schema-version"] = 1, ["system"] = new JsonObject { ["host-name"] = name } };

    [Fact]
    public async Task A_phased_configuration_deployment_promotes_after_its_bake_time_and_completes_on_every_box()
    {
        await StartBoxesAsync(2);
        long id = Create(new JsonObject
        {
            ["name"] = "rename", ["configuration"] = HostName("branch-new"), ["target"] = new JsonObject { ["group"] = "branch" },
            ["phases"] = new JsonArray(new JsonObject { ["count"] = 1, ["bakeSeconds"] = 15 }, new JsonObject { ["percent"] = 100, ["bakeSeconds"] = 0 }),
        });
        // One box takes phase 1, bakes 15 s (check-ins every 5 s), and only then does the other start.
        await Eventually(() => Deployment(id)["devices"]?["verifying"] is not null, TimeSpan.FromSeconds(60), "a box verifying in phase 1");
        var first = _boxes.Single(b => StateOf(id, b.Serial) == "verifying");
        var second = _boxes.Single(b => b != first);
        Assert.Equal("branch-new", await HostNameAsync(first));
        Assert.Equal("pending", StateOf(id, second.Serial));
        Assert.Equal("site-17", await HostNameAsync(second));
        await Eventually(() => StateOf(id, first.Serial) == "succeeded", TimeSpan.FromSeconds(60), "the first box's bake time over");
        await Eventually(() => Deployment(id)["status"]!.GetValue<string>() == "completed", TimeSpan.FromSeconds(90), "the deployment completed");
        Assert.Equal("branch-new", await HostNameAsync(second));
        var phases = Deployment(id)["phases"]!.AsArray();
        Assert.True(phases[1]!["startedAt"]!.GetValue<DateTimeOffset>() >= phases[0]!["startedAt"]!.GetValue<DateTimeOffset>().AddSeconds(15));
        await using var api = await second.Cped!.ConnectAsync();
        Assert.Null((await api.HistoryAsync())[0].ConfirmBy);   // confirmed by the box's next check-in, as every fleet push
    }

    [Fact]
    public async Task A_box_unhealthy_during_the_bake_time_halts_the_deployment_and_its_phase_goes_back_to_the_configuration_before()
    {
        await StartBoxesAsync(2);
        long id = Create(new JsonObject
        {
            ["name"] = "risky", ["configuration"] = HostName("branch-risky"), ["target"] = new JsonObject { ["group"] = "branch" },
            ["phases"] = new JsonArray(new JsonObject { ["count"] = 1, ["bakeSeconds"] = 300 }, new JsonObject { ["percent"] = 100 }),
            ["errorThreshold"] = new JsonObject { ["count"] = 1 }, ["rollbackOnHalt"] = true, ["unhealthyAlarms"] = new JsonArray("link-down"),
        });
        await Eventually(() => Deployment(id)["devices"]?["verifying"] is not null, TimeSpan.FromSeconds(60), "a box verifying in phase 1");
        var first = _boxes.Single(b => StateOf(id, b.Serial) == "verifying");
        var second = _boxes.Single(b => b != first);
        Assert.Equal("branch-risky", await HostNameAsync(first));
        // The customer's LAN port loses its far end on the updated box: a new link-down alarm, which this deployment counts.
        Command.Run("ip", ["-n", first.Sim.Lan, "link", "set", "lan1", "down"]);
        await Eventually(() => Deployment(id)["status"]!.GetValue<string>() == "halted", TimeSpan.FromSeconds(30), "the deployment halted");
        var halted = Deployment(id);
        Assert.Equal("phase 1: 1 device(s) failed (threshold 1)", halted["reason"]!.GetValue<string>());
        await Eventually(() => StateOf(id, first.Serial) == "rolled-back", TimeSpan.FromSeconds(60), "the phase rolled back");
        var member = JsonNode.Parse(First.Admin("GET", $"/api/v1/deployments/{id}/devices").Body)!.AsArray().Single(d => d!["serial"]!.GetValue<string>() == first.Serial)!;
        Assert.StartsWith("rolled back after: unhealthy during the bake time: alarm minor link-down ge-0/0/1", member["reason"]!.GetValue<string>());
        Assert.Equal("site-17", await HostNameAsync(first));   // the configuration it ran before, restored by cped
        await using (var api = await first.Cped!.ConnectAsync())
            Assert.Contains(await api.HistoryAsync(), r => r.Comment?.Contains($"before fleet revision {halted["configRevision"]}", StringComparison.Ordinal) == true);
        // The other box never started.
        Assert.Equal("pending", StateOf(id, second.Serial));
        Assert.Equal("site-17", await HostNameAsync(second));
    }

    [Fact]
    public async Task A_maintenance_window_holds_a_box_until_it_opens_in_its_sites_local_time()
    {
        // Los Angeles: eight hours from UTC in December, so a window read in UTC (or on the box's clock) would not open in this test.
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles");
        var opens = DateTimeOffset.UtcNow.AddSeconds(75);
        opens = opens.AddSeconds(-opens.Second).AddMinutes(1);   // a whole minute, 75–135 s from now
        var local = TimeZoneInfo.ConvertTime(opens, zone);
        await StartBoxesAsync(1, site: "la");
        Assert.Equal(200, First.Admin("PUT", "/api/v1/sites/la", """{"timeZone":"America/Los_Angeles"}""").Status);
        long id = Create(new JsonObject
        {
            ["name"] = "night", ["configuration"] = HostName("branch-night"), ["target"] = new JsonObject { ["site"] = "la" },
            ["phases"] = new JsonArray(new JsonObject { ["percent"] = 100, ["bakeSeconds"] = 0 }),
            ["window"] = new JsonObject { ["start"] = local.ToString("HH:mm"), ["end"] = local.AddHours(1).ToString("HH:mm") },
        });
        await Eventually(() => StateOf(id, First.Serial) == "scheduled", TimeSpan.FromSeconds(30), "the box scheduled");
        var member = JsonNode.Parse(First.Admin("GET", $"/api/v1/deployments/{id}/devices").Body)!.AsArray().Single()!;
        Assert.Equal($"waits for its maintenance window, which opens at {opens.UtcDateTime:yyyy-MM-dd HH:mm} UTC", member["reason"]!.GetValue<string>());
        Assert.Equal("site-17", await HostNameAsync(First));
        await Eventually(() => StateOf(id, First.Serial) == "succeeded", TimeSpan.FromSeconds(200), "the box updated once its window opened");
        Assert.True(DateTimeOffset.UtcNow >= opens);
        Assert.Equal("branch-night", await HostNameAsync(First));
    }
}
