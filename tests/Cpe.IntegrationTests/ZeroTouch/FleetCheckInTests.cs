using System.Text.Json.Nodes;
using Cpe.Api;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.ZeroTouch;

/// <summary>After bootstrap-complete: the fleet check-in, and configurations pushed through it with "commit confirmed".</summary>
[Trait("Kind", "Integration")]
public sealed class FleetCheckInTests : IAsyncLifetime
{
    ZeroTouchLab _lab = null!;

    public async Task InitializeAsync()
    {
        _lab = await ZeroTouchLab.StartAsync();
        _lab.Enroll(SiteBundle.Bundle());
        await _lab.PowerOnAsync();
        await Says("ZTP: bootstrap-complete", TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    Task<(DateTimeOffset Time, string Line)> Says(string text, TimeSpan timeout) =>
        _lab.Agent!.WaitForLineAsync(l => l.Contains(text, StringComparison.Ordinal), timeout, text);

    void Push(JsonObject configuration, string handling = "merge")
    {
        var body = new JsonObject { ["handling"] = handling, ["configuration"] = configuration };
        var answer = _lab.Admin("PUT", $"/api/v1/fleet/serial:{_lab.Serial}", body.ToJsonString());
        Assert.True(answer.Status == 200, answer.Body);
    }

    [Fact]
    public async Task A_pushed_configuration_is_committed_confirmed_and_the_next_check_in_confirms_it()
    {
        Push(new JsonObject { ["schema-version"] = 1, ["system"] = new JsonObject { ["host-name"] = "site-18" } });
        await Says("fleet revision 1 committed", TimeSpan.FromSeconds(15));
        await using var api = await _lab.Cped!.ConnectAsync();
        var pending = (await api.HistoryAsync())[0];
        Assert.Equal("fleet", pending.Source);
        Assert.NotNull(pending.ConfirmBy);
        await Says("fleet revision 1 confirmed", TimeSpan.FromSeconds(15));
        Assert.Null((await api.HistoryAsync())[0].ConfirmBy);
        // The merge kept what zero-touch committed.
        Assert.Single(await api.BridgesAsync());
        // The server saw the device report it.
        await Eventually(() => _lab.Admin("GET", $"/api/v1/devices/{_lab.Serial}/check-ins").Body.Contains("fleet revision 1 confirmed", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "a check-in reporting the confirmation");
        // The first check-in carried the box's hardware inventory; the operator reads it.
        var inventory = _lab.Admin("GET", $"/api/v1/devices/{_lab.Serial}/inventory");
        Assert.Equal(200, inventory.Status);
        var hardware = JsonNode.Parse(inventory.Body)!;
        Assert.Equal(("sim", _lab.Serial, "02:00:5e:10:00:00"), (hardware["model"]!.GetValue<string>(), hardware["serialNumber"]!.GetValue<string>(), hardware["baseMac"]!.GetValue<string>()));
        Assert.Equal(5, hardware["nics"]!.AsArray().Count);   // ge-0/0/0 to ge-0/0/3 and the SR-IOV PF
        Assert.Equal(404, _lab.Admin("GET", "/api/v1/devices/SIM-9999/inventory").Status);
    }

    [Fact]
    public async Task A_technician_overriding_a_pushed_setting_is_reported_to_the_server_until_it_is_put_back()
    {
        Push(new JsonObject { ["schema-version"] = 1, ["system"] = new JsonObject { ["host-name"] = "site-18" } });
        await Says("fleet revision 1 confirmed", TimeSpan.FromSeconds(30));
        var local = await CliProcess.RunAsync(_lab.Cped!.SocketPath, "configure; set system host-name tech-name; commit comment \"on site\"");
        Assert.True(local.ExitCode == 0, local.ToString());

        await Eventually(() => LatestCheckIns(1) is [var last] && last!["localOverride"] is JsonObject,
            TimeSpan.FromSeconds(30), "a check-in reporting the technician's override");
        var overridden = LatestCheckIns(1)[0]!["localOverride"]!;
        Assert.Equal("root", overridden["user"]!.GetValue<string>());
        Assert.Equal(["set system host-name site-18"], overridden["statements"]!.AsArray().Select(x => x!.GetValue<string>()));

        var back = await CliProcess.RunAsync(_lab.Cped!.SocketPath, "configure; set system host-name site-18; commit");
        Assert.True(back.ExitCode == 0, back.ToString());
        await Eventually(() => LatestCheckIns(1) is [var last] && last!["localOverride"] is null && last["lastResult"]?.GetValue<string>() == "check-in ok",
            TimeSpan.FromSeconds(30), "a check-in with no override once the pushed setting is back");
    }

    [Fact]
    public async Task A_push_that_cuts_the_box_off_the_server_rolls_back_by_itself()
    {
        // "replace" without the WAN port's DHCP: the box loses its address, so it cannot check in to confirm.
        Push(new JsonObject { ["schema-version"] = 1, ["system"] = new JsonObject { ["host-name"] = "cut-off" } }, handling: "replace");
        await Says("fleet revision 1 committed", TimeSpan.FromSeconds(15));
        await Says("check-in failed", TimeSpan.FromSeconds(15));
        // cped's "commit confirmed" (1 minute) runs out and brings back the revision that worked; the check-in resumes.
        await Says("fleet revision 1 was rolled back before it could be confirmed", TimeSpan.FromSeconds(120));
        await using var api = await _lab.Cped!.ConnectAsync();
        var history = await api.HistoryAsync();
        Assert.Contains(history, r => r.Source == "system" && r.Comment!.StartsWith("automatic rollback", StringComparison.Ordinal));
        Assert.Single(await api.BridgesAsync());
        // What the box runs is the server's truth: fleet revision 0 again, and revision 1 refused with the reason, on every
        // check-in from now on (not only the one after the rollback).
        await Eventually(() => LatestCheckIns(3) is { Count: 3 } c && c.All(x => x!["fleetRevision"]!.GetValue<long>() == 0
                && x["refused"]?["revision"]?.GetValue<long>() == 1 && x["refused"]!["reason"]!.GetValue<string>().Contains("rolled back", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), "three check-ins reporting fleet revision 0 run and revision 1 refused");
        Assert.DoesNotContain(LatestCheckIns(20), x => x!["lastResult"]?.GetValue<string>().Contains("HttpClient", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_push_the_box_refuses_is_reported_with_its_reason_never_retried_and_a_newer_one_clears_it()
    {
        // Valid for the schema (the server checks that), refused by this board: it has no ge-0/0/9.
        Push(new JsonObject { ["schema-version"] = 1, ["interfaces"] = new JsonObject { ["interface"] = new JsonArray(new JsonObject { ["name"] = "ge-0/0/9", ["dhcp"] = true }) } });
        await Says("fleet revision 1 refused", TimeSpan.FromSeconds(15));
        await Eventually(() => LatestCheckIns(2) is { Count: 2 } c && c.All(x => x!["refused"]?["reason"]?.GetValue<string>().Contains("ge-0/0/9", StringComparison.Ordinal) == true),
            TimeSpan.FromSeconds(30), "check-ins reporting revision 1 refused because of ge-0/0/9");
        await using var api = await _lab.Cped!.ConnectAsync();
        Assert.DoesNotContain(await api.HistoryAsync(), r => r.Source == "fleet");   // tried once, refused, not retried
        Push(new JsonObject { ["schema-version"] = 1, ["system"] = new JsonObject { ["host-name"] = "site-19" } });
        await Says("fleet revision 2 confirmed", TimeSpan.FromSeconds(30));
        await Eventually(() => LatestCheckIns(1) is [var last] && last!["fleetRevision"]!.GetValue<long>() == 2 && last["refused"] is null,
            TimeSpan.FromSeconds(30), "a check-in running revision 2 with no refusal");
    }

    List<JsonNode?> LatestCheckIns(int count) =>
        JsonNode.Parse(_lab.Admin("GET", $"/api/v1/devices/{_lab.Serial}/check-ins?limit={count}").Body)!.AsArray().ToList();

    static Task Eventually(Func<bool> condition, TimeSpan timeout, string what) => Poll.UntilAsync(condition, timeout, what, TimeSpan.FromMilliseconds(200));
}
