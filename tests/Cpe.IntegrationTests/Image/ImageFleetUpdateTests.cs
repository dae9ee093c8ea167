using System.Text.Json.Nodes;
using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.Image;

/// <summary>
/// Fleet firmware on the QEMU box, with nobody typing until the end: the owner sets v2 for the box, its check-in
/// installs it, reboots and marks it good (the anti-rollback floor rises); v1 is then refused with the reason; a v3
/// built with a wrong board profile (WAN and LAN swapped, so its health check cannot reach the server) is installed,
/// fails its health check on every try, and the box is back on v2 by itself. The console, show system software and
/// the vendor server's check-ins say why.
/// </summary>
[Trait("Kind", "Image")]
public sealed class ImageFleetUpdateTests(ITestOutputHelper output) : IDisposable
{
    readonly TempFolder _dir = new("cpe-image-fleet-");

    /// <summary>A v3 whose board profile swaps the WAN and LAN ports: a release that cannot reach the server.</summary>
    string BrokenVersion3()
    {
        string boards = Path.Combine(_dir.Path, "boards"), build = Path.Combine(_dir.Path, "v3");
        Directory.CreateDirectory(boards);
        foreach (var f in Directory.GetFiles(FirmwareBuild.Boards, "*.json")) File.Copy(f, Path.Combine(boards, Path.GetFileName(f)));
        string lab = Path.Combine(boards, "cpe-lab-q35.json");
        File.WriteAllText(lab, File.ReadAllText(lab).Replace("0000:01:00.0", "0000:0X:00.0").Replace("0000:02:00.0", "0000:01:00.0").Replace("0000:0X:00.0", "0000:02:00.0"));
        FirmwareBuild.Assemble("3.0.0", build, boards, healthTimeout: 10);
        return FirmwareBuild.Sign("3.0.0", build);
    }

    [Fact]
    public async Task The_fleet_updates_v1_to_v2_v1_is_refused_and_a_v3_that_fails_its_health_check_falls_back_to_v2()
    {
        string v3 = BrokenVersion3();
        await using var lab = await ImageFleetLab.StartAsync();
        string v1Image = lab.UploadFirmware(Binaries.FirmwareBundle("1.0.0"), "1.0.0");
        string v2Image = lab.UploadFirmware(Binaries.FirmwareBundle("2.0.0"), "2.0.0");
        string v3Image = lab.UploadFirmware(v3, "3.0.0");
        lab.Enroll("lab-box", bootImage: null);
        await using var box = await ImageMachine.StartAsync(ImageMachine.CopyImage(Binaries.FirmwareImage("1.0.0"), _dir.Path), _dir.Path,
            wan: lab.WanNetdev, factory: lab.FactoryDisk, netns: lab.Namespace);
        try
        {
            await lab.WaitForProgressAsync("bootstrap-complete", TimeSpan.FromSeconds(240));
            output.WriteLine($"bootstrap-complete on 1.0.0 after {box.Clock.Elapsed.TotalSeconds:0} s");

            // v1 → v2 by the fleet check-in.
            lab.SetFleet("lab-box", v2Image);
            await box.WaitForAsync(@"cpe: CPE firmware 2\.0\.0 on slot b", TimeSpan.FromSeconds(300));
            await lab.WaitForCheckInAsync(c => c["osVersion"]!.GetValue<string>() == "2.0.0", TimeSpan.FromSeconds(180), "from 2.0.0");
            output.WriteLine($"2.0.0 checked in after {box.Clock.Elapsed.TotalSeconds:0} s");

            // v1 again: refused below the floor 2.0.0, reported, not retried.
            lab.SetFleet("lab-box", v1Image);
            var refused = await lab.WaitForCheckInAsync(c => c["firmwareFailure"] is JsonObject f && f["version"]!.GetValue<string>() == "1.0.0",
                TimeSpan.FromSeconds(120), "reporting 1.0.0 refused");
            output.WriteLine(refused.ToJsonString());
            Assert.Contains("below this box's anti-rollback floor 2.0.0", refused["firmwareFailure"]!["reason"]!.GetValue<string>());

            // v3, which cannot pass its health check, as a deployment: three tries, then back on v2 by itself.
            var deploy = lab.Admin("POST", "/api/v1/deployments", new JsonObject
            {
                ["name"] = "fw-3", ["firmware"] = v3Image, ["target"] = new JsonObject { ["serials"] = new JsonArray(ImageFleetLab.Serial) },
                ["phases"] = new JsonArray(new JsonObject { ["percent"] = 100, ["bakeSeconds"] = 30 }), ["errorThreshold"] = new JsonObject { ["count"] = 1 },
            }.ToJsonString());
            Assert.True(deploy.Status == 201, deploy.Body);
            long deployment = JsonNode.Parse(deploy.Body)!["id"]!.GetValue<long>();
            await box.WaitForAsync(@"cpe: CPE firmware 3\.0\.0 on slot a", TimeSpan.FromSeconds(300));
            output.WriteLine($"3.0.0 first booted after {box.Clock.Elapsed.TotalSeconds:0} s");
            await box.WaitForAsync("firmware fallback: slot a \\(3\\.0\\.0\\) failed 3 tries; running slot b \\(2\\.0\\.0\\) again", TimeSpan.FromSeconds(600));
            output.WriteLine($"back on 2.0.0 after {box.Clock.Elapsed.TotalSeconds:0} s");
            var fellBack = await lab.WaitForCheckInAsync(c => c["firmwareFailure"] is JsonObject f && f["version"]!.GetValue<string>() == "3.0.0",
                TimeSpan.FromSeconds(180), "reporting the fallback from 3.0.0");
            output.WriteLine(fellBack.ToJsonString());
            Assert.Equal("2.0.0", fellBack["osVersion"]!.GetValue<string>());
            string reason = fellBack["firmwareFailure"]!["reason"]!.GetValue<string>();
            Assert.Contains("fell back from slot a after 3 attempt(s)", reason);
            Assert.Contains("health check", reason);
            // The deployment shows it as the box reported it: fell back, with the box's reason, and the threshold of 1 halted it.
            var member = JsonNode.Parse(lab.Admin("GET", $"/api/v1/deployments/{deployment}/devices").Body)!.AsArray().Single()!;
            output.WriteLine(member.ToJsonString());
            Assert.Equal(("fell-back", reason), (member["state"]!.GetValue<string>(), member["reason"]!.GetValue<string>()));
            Assert.True(member["bytes"]!.GetValue<long>() > 0, "install reports carried the bytes");
            Assert.Equal("2.0.0", member["before"]!["osVersion"]!.GetValue<string>());
            Assert.Equal("halted", JsonNode.Parse(lab.Admin("GET", $"/api/v1/deployments/{deployment}").Body)!["status"]!.GetValue<string>());

            await box.LoginAsync("root", "x", TimeSpan.FromSeconds(120));
            string software = await box.RunAsync("show system software");
            output.WriteLine(software);
            Assert.Contains("Running:  2.0.0 from slot b (good)", software);
            Assert.Contains("Last fallback", software);
            Assert.Contains("3.0.0", software);
        }
        catch (TimeoutException)
        {
            await box.PowerCutAsync();
            output.WriteLine("phonehome.log:\n" + box.DataFile("/log/phonehome.log"));
            throw;
        }
        finally
        {
            output.WriteLine(box.Console);
        }
    }

    public void Dispose() => _dir.Dispose();
}
