using System.Text.Json.Nodes;
using Cpe.Api;
using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.ZeroTouch;

/// <summary>
/// VNF package versions rolled out by deployments to a real box (cped running VNFs and cpe-phonehome on the simulated
/// board, after zero-touch): the repository refuses what it must not serve; a deployment brings a package and the
/// configuration that runs it; the next version switches the VNF in a confirmed commit; a version that crash-loops
/// halts the deployment and its phase goes back to the version it ran before.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class VnfDeploymentTests(ITestOutputHelper output) : IAsyncLifetime
{
    readonly TempFolder _packages = new("cpe-vnf-deploy-");
    ZeroTouchLab _box = null!;

    public async Task InitializeAsync()
    {
        _box = await ZeroTouchLab.StartAsync("SIM-0001", vnfs: true);
        _box.Enroll(SiteBundle.Bundle(), group: "branch");
        await _box.PowerOnAsync();
        await _box.Agent!.WaitForLineAsync(l => l.Contains("ZTP: bootstrap-complete", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "bootstrap-complete");
    }

    public async Task DisposeAsync()
    {
        output.WriteLine(_box.Agent?.Output ?? "");
        await _box.DisposeAsync();
        _packages.Dispose();
    }

    /// <summary>Package "probe" at <paramref name="version"/> running <paramref name="script"/>, signed by the build's VNF signer unless told not to.</summary>
    string Package(string version, string script, bool sign = true)
    {
        string folder = Directory.CreateDirectory(_packages[version]).FullName;
        string package = BusyboxPackage.Build(folder, "probe", script, new Dictionary<string, string> { ["org.cpe.vnf.version"] = version });
        if (sign) BusyboxPackage.Sign(package);
        return package;
    }

    (int Status, string Body) Upload(string version, string file) => _box.Admin("PUT", $"/api/v1/vnf-packages/probe/{version}", file: file, contentType: null);

    long Create(JsonObject spec)
    {
        spec["target"] = new JsonObject { ["group"] = "branch" };
        var made = _box.Admin("POST", "/api/v1/deployments", spec.ToJsonString());
        Assert.True(made.Status == 201, made.Body);
        return JsonNode.Parse(made.Body)!["id"]!.GetValue<long>();
    }

    JsonNode Member(long id) => JsonNode.Parse(_box.Admin("GET", $"/api/v1/deployments/{id}/devices").Body)!.AsArray().SingleOrDefault() ?? new JsonObject { ["state"] = "(not joined)" };

    string Status(long id) => JsonNode.Parse(_box.Admin("GET", $"/api/v1/deployments/{id}").Body)!["status"]!.GetValue<string>();

    static JsonArray Probe(string version) => new(new JsonObject { ["name"] = "probe", ["version"] = version });

    /// <summary>Polls <paramref name="condition"/>; on timeout says what the deployment's devices were at then.</summary>
    async Task Eventually(Func<bool> condition, int seconds, string what)
    {
        try { await Poll.UntilAsync(condition, TimeSpan.FromSeconds(seconds), what, TimeSpan.FromMilliseconds(500)); }
        catch (TimeoutException e) { throw new TimeoutException($"{e.Message}; devices: {_box.Admin("GET", $"/api/v1/deployments/{_lastId}/devices").Body}", e); }
    }
    long _lastId;

    async Task<VnfInstanceInfo> ProbeInstanceAsync()
    {
        await using var api = await _box.Cped!.ConnectAsync();
        return (await api.VnfsAsync("pr")).Single();
    }

    [Fact]
    public async Task VNF_versions_roll_out_in_deployments_and_a_crashing_version_halts_and_goes_back_to_the_one_before()
    {
        string v1 = Package("1.0.0", "sleep 100000"), v2 = Package("2.0.0", "sleep 100000"), v3 = Package("3.0.0", "echo crashing; exit 3");
        // The repository keeps only signed packages whose own name and version are the ones uploaded, and never changes a version.
        var refused = Upload("9.0.0", Package("9.0.0", "sleep 1", sign: false));
        Assert.True(refused.Status == 400 && refused.Body.Contains("not signed", StringComparison.Ordinal), refused.Body);
        refused = Upload("1.0.1", v1);
        Assert.True(refused.Status == 400 && refused.Body.Contains("the package is probe:1.0.0, not probe:1.0.1", StringComparison.Ordinal), refused.Body);
        foreach (var (version, file) in new[] { ("1.0.0", v1), ("2.0.0", v2), ("3.0.0", v3), ("1.0.0", v1) })
            Assert.Equal(200, Upload(version, file).Status);
        Assert.Equal(409, Upload("1.0.0", v2).Status);
        Assert.Equal(3, JsonNode.Parse(_box.Admin("GET", "/api/v1/vnf-packages").Body)!.AsArray().Count);
        Assert.Equal(404, _box.Admin("POST", "/api/v1/deployments", new JsonObject
        {
            ["name"] = "missing", ["vnfs"] = Probe("4.0.0"), ["target"] = new JsonObject { ["group"] = "branch" },
        }.ToJsonString()).Status);

        // 1: the package and the configuration that runs it, in one deployment (the box adds the package before it commits).
        _lastId = Create(new JsonObject
        {
            ["name"] = "probe-on", ["vnfs"] = Probe("1.0.0"), ["phases"] = new JsonArray(new JsonObject { ["count"] = 1, ["bakeSeconds"] = 0 }),
            ["configuration"] = new JsonObject
            {
                ["schema-version"] = 1, ["vnfs"] = new JsonObject { ["vnf"] = new JsonArray(new JsonObject { ["name"] = "pr", ["package"] = "probe:1.0.0" }) },
            },
        });
        await Eventually(() => Status(_lastId) == "completed", 90, "the first deployment completed");
        Assert.Equal("succeeded", Member(_lastId)["state"]!.GetValue<string>());
        Assert.Equal(("probe:1.0.0", "running"), await ProbeInstanceAsync() is var first ? (first.Package, first.State) : default);

        // 2: the next version: downloaded, the VNF switched with "commit confirmed", confirmed by the next check-in.
        _lastId = Create(new JsonObject { ["name"] = "probe-2", ["vnfs"] = Probe("2.0.0"), ["phases"] = new JsonArray(new JsonObject { ["count"] = 1, ["bakeSeconds"] = 5 }) });
        await Eventually(() => Member(_lastId)["state"]!.GetValue<string>() == "succeeded", 90, "probe 2.0.0 succeeded");
        Assert.Equal(("probe:2.0.0", "running"), await ProbeInstanceAsync() is var second ? (second.Package, second.State) : default);
        await using (var api = await _box.Cped!.ConnectAsync())
        {
            var switched = (await api.HistoryAsync()).First(r => r.Comment?.Contains("fleet VNF packages", StringComparison.Ordinal) == true);
            Assert.Equal(("fleet VNF packages: pr to probe:2.0.0", null), (switched.Comment, switched.ConfirmBy));
        }
        var downloads = JsonNode.Parse(_box.Admin("GET", "/api/v1/images/vnf:probe:2.0.0/downloads").Body)!.AsArray();
        Assert.Contains(downloads, d => d!["serial"]!.GetValue<string>() == "SIM-0001" && d["status"]!.GetValue<int>() == 200);

        // 3: a version that crash-loops: the box fails, the deployment halts and its phase goes back to 2.0.0.
        _lastId = Create(new JsonObject
        {
            ["name"] = "probe-3", ["vnfs"] = Probe("3.0.0"), ["phases"] = new JsonArray(new JsonObject { ["count"] = 1, ["bakeSeconds"] = 120 }),
            ["errorThreshold"] = new JsonObject { ["count"] = 1 }, ["rollbackOnHalt"] = true,
        });
        await Eventually(() => Status(_lastId) == "halted", 150, "the deployment halted");
        await Eventually(() => Member(_lastId)["state"]!.GetValue<string>() == "rolled-back", 90, "the phase rolled back");
        string reason = Member(_lastId)["reason"]!.GetValue<string>();
        output.WriteLine(reason);
        Assert.Contains("probe:3.0.0", reason);
        var back = await ProbeInstanceAsync();
        Assert.Equal("probe:2.0.0", back.Package);
        // What the box reports is what the server shows: its VNFs at the last check-in.
        await Eventually(() => JsonNode.Parse(_box.Admin("GET", "/api/v1/devices/SIM-0001/check-ins?limit=1").Body)![0]!["vnfs"]?["instances"]?[0]?["package"]?.GetValue<string>() == "probe:2.0.0",
            30, "the check-in shows probe 2.0.0");
        var reported = JsonNode.Parse(_box.Admin("GET", "/api/v1/devices/SIM-0001/check-ins?limit=1").Body)![0]!["vnfs"]!;
        Assert.Equal(["probe:1.0.0", "probe:2.0.0", "probe:3.0.0"], reported["packages"]!.AsArray().Select(p => p!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Empty(reported["chains"]!.AsArray());   // read as the phone-home user (chain.list): this box steers no chain
    }
}
