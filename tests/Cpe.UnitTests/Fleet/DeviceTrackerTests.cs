using System.Text.Json.Nodes;
using Cpe.Sztp;
using Cpe.VendorServer.Deployments;

namespace Cpe.UnitTests.Fleet;

/// <summary>The per-device state machine: what the box reports decides, never what it was told.</summary>
[Trait("Kind", "Unit")]
public sealed class DeviceTrackerTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    static readonly DeploymentSpec Spec = new("d", new DeploymentTarget(Group: "g")) { UnhealthyAlarms = ["link-down"], DeviceTimeoutMinutes = 30 };
    static readonly TimeSpan Bake = TimeSpan.FromMinutes(10);
    static readonly Before Before = new("1.0.0", 3, ["minor link-down ge-0/0/3: no carrier"]);
    static readonly SoftwareReport Good = new("b", "good", [new("a", "good", "1.0.0"), new("b", "good", "2.0.0")], null);

    static DeviceReport Report(string os = "1.0.0", long fleet = 3, bool unconfirmed = false, SoftwareReport? software = null, string[]? alarms = null,
        FirmwareFailure? failure = null, FleetRefusal? refused = null) =>
        new(os, fleet, unconfirmed, refused, failure, software, alarms ?? Before.Alarms);

    static MemberState Started(string state) => new(state, null, T0, null, Before);

    [Fact]
    public void A_firmware_update_goes_through_download_install_reboot_and_verifies_only_once_marked_good()
    {
        var goal = new Goal("2.0.0", null);
        var m = Started(DeviceStates.Downloading);
        Assert.Equal(m, DeviceTracker.Next(m, goal, Report(), Bake, Spec, T0.AddMinutes(1)));   // told to install is not done
        var installing = Report() with { Install = new InstallReport("S", "2.0.0", "checking", 100, 0, 8, 8) };
        m = DeviceTracker.Next(m, goal, installing, Bake, Spec, T0.AddMinutes(2));
        Assert.Equal(DeviceStates.Installing, m.State);
        m = DeviceTracker.Next(m, goal, Report() with { Install = new InstallReport("S", "2.0.0", "installed", 100, 0, 8, 8) }, Bake, Spec, T0.AddMinutes(3));
        Assert.Equal(DeviceStates.Rebooting, m.State);
        // Booted into 2.0.0 but still on trial: not yet.
        var trial = Good with { Health = "on trial" };
        Assert.Equal(DeviceStates.Rebooting, DeviceTracker.Next(m, goal, Report("2.0.0", software: trial), Bake, Spec, T0.AddMinutes(4)).State);
        m = DeviceTracker.Next(m, goal, Report("2.0.0", software: Good), Bake, Spec, T0.AddMinutes(5));
        Assert.Equal((DeviceStates.Verifying, T0.AddMinutes(5)), (m.State, m.VerifySince));
        Assert.Equal(DeviceStates.Verifying, DeviceTracker.Next(m, goal, Report("2.0.0", software: Good), Bake, Spec, T0.AddMinutes(14)).State);
        Assert.Equal(DeviceStates.Succeeded, DeviceTracker.Next(m, goal, Report("2.0.0", software: Good), Bake, Spec, T0.AddMinutes(15)).State);
    }

    [Fact]
    public void A_fallback_is_fell_back_with_the_boxs_reason_and_a_refused_bundle_is_failed()
    {
        var goal = new Goal("2.0.0", null);
        var fell = DeviceTracker.Next(Started(DeviceStates.Rebooting), goal,
            Report(failure: new FirmwareFailure("2.0.0", "fell back from slot b after 3 attempt(s): health check 'wan' failed", T0)), Bake, Spec, T0);
        Assert.Equal((DeviceStates.FellBack, "fell back from slot b after 3 attempt(s): health check 'wan' failed"), (fell.State, fell.Reason));
        var refused = DeviceTracker.Next(Started(DeviceStates.Downloading), goal,
            Report(failure: new FirmwareFailure("2.0.0", "refused: below this box's anti-rollback floor 3.0.0", T0)), Bake, Spec, T0);
        Assert.Equal(DeviceStates.Failed, refused.State);
        // A failure for another version is not this deployment's.
        Assert.Equal(DeviceStates.Downloading, DeviceTracker.Next(Started(DeviceStates.Downloading), goal,
            Report(failure: new FirmwareFailure("1.5.0", "refused", T0)), Bake, Spec, T0).State);
    }

    [Fact]
    public void A_configuration_verifies_once_confirmed_and_a_refused_revision_fails_with_its_reason()
    {
        var goal = new Goal(null, 7);
        Assert.Equal(DeviceStates.Installing, DeviceTracker.Next(Started(DeviceStates.Installing), goal, Report(fleet: 7, unconfirmed: true), Bake, Spec, T0).State);
        Assert.Equal(DeviceStates.Verifying, DeviceTracker.Next(Started(DeviceStates.Installing), goal, Report(fleet: 7), Bake, Spec, T0).State);
        Assert.Equal(DeviceStates.Verifying, DeviceTracker.Next(Started(DeviceStates.Installing), goal, Report(fleet: 9), Bake, Spec, T0).State);   // newer counts
        var failed = DeviceTracker.Next(Started(DeviceStates.Installing), goal, Report(refused: new FleetRefusal(7, "commit refused: no ge-0/0/9", T0)), Bake, Spec, T0);
        Assert.Equal((DeviceStates.Failed, "fleet revision 7 not kept: commit refused: no ge-0/0/9"), (failed.State, failed.Reason));
        // No bake time: straight to succeeded.
        Assert.Equal(DeviceStates.Succeeded, DeviceTracker.Next(Started(DeviceStates.Installing), goal, Report(fleet: 7), TimeSpan.Zero, Spec, T0).State);
    }

    [Fact]
    public void During_the_bake_time_a_new_serious_or_listed_alarm_or_losing_the_version_fails_it_and_old_alarms_do_not()
    {
        var goal = new Goal(null, 7);
        var verifying = Started(DeviceStates.Verifying) with { VerifySince = T0 };
        // The alarm it had before (its text changed) is not new.
        Assert.Equal(DeviceStates.Verifying, DeviceTracker.Next(verifying, goal, Report(fleet: 7, alarms: ["minor link-down ge-0/0/3: still no carrier"]), Bake, Spec, T0.AddMinutes(1)).State);
        var listed = DeviceTracker.Next(verifying, goal, Report(fleet: 7, alarms: ["minor link-down ge-0/0/1: ge-0/0/1 lost its carrier"]), Bake, Spec, T0.AddMinutes(1));
        Assert.Equal((DeviceStates.Failed, "unhealthy during the bake time: alarm minor link-down ge-0/0/1: ge-0/0/1 lost its carrier"), (listed.State, listed.Reason));
        Assert.Equal(DeviceStates.Failed, DeviceTracker.Next(verifying, goal, Report(fleet: 7, alarms: ["major vnf-crash firewall: restarting"]), Bake, Spec, T0.AddMinutes(1)).State);
        Assert.Equal(DeviceStates.Verifying, DeviceTracker.Next(verifying, goal, Report(fleet: 7, alarms: ["minor disk: 85 % full"]), Bake, Spec, T0.AddMinutes(1)).State);
        var lost = DeviceTracker.Next(verifying, goal, Report(fleet: 7, unconfirmed: true), Bake, Spec, T0.AddMinutes(1));
        Assert.Equal("during the bake time: fleet revision 7 is not confirmed yet", lost.Reason);
    }

    [Fact]
    public void A_device_that_does_not_get_there_in_time_fails_and_a_rollback_ends_rolled_back()
    {
        var late = DeviceTracker.Next(Started(DeviceStates.Downloading), new Goal("2.0.0", null), Report(), Bake, Spec, T0.AddMinutes(31));
        Assert.Equal((DeviceStates.Failed, "not done 30 min after it started: runs firmware 1.0.0, not 2.0.0"), (late.State, late.Reason));
        var back = new Goal("1.0.0", 8);
        Assert.Equal(DeviceStates.RollingBack, DeviceTracker.Next(Started(DeviceStates.RollingBack), back, Report(software: Good), Bake, Spec, T0).State);
        var rolledBack = DeviceTracker.Next(Started(DeviceStates.RollingBack) with { Reason = "rolled back after: alarm" }, back, Report(fleet: 8, software: Good), Bake, Spec, T0);
        Assert.Equal((DeviceStates.RolledBack, "rolled back after: alarm"), (rolledBack.State, rolledBack.Reason));   // why stays
        var refused = DeviceTracker.Next(Started(DeviceStates.RollingBack), back, Report(failure: new FirmwareFailure("1.0.0", "refused: below the floor", T0)), Bake, Spec, T0);
        Assert.Equal((DeviceStates.Failed, "rollback: refused: below the floor"), (refused.State, refused.Reason));
        // Finished devices do not move.
        Assert.Equal(DeviceStates.Succeeded, DeviceTracker.Next(Started(DeviceStates.Succeeded), back, Report(), Bake, Spec, T0).State);
    }

    [Theory]
    [InlineData("""{"name":"d","target":{"group":"g"}}""", "carries a configuration, a firmware image, VNF packages, or a combination")]
    [InlineData("""{"name":"d","target":{},"firmware":"fw"}""", "target names at least one")]
    [InlineData("""{"name":"d","target":{"labels":["a,b"]},"firmware":"fw"}""", "labels")]
    [InlineData("""{"name":"d","target":{"group":"g"},"firmware":"fw","phases":[{"count":1,"percent":5}]}""", "count or percent")]
    [InlineData("""{"name":"d","target":{"group":"g"},"firmware":"fw","phases":[{"percent":150}]}""", "at most 100")]
    [InlineData("""{"name":"d","target":{"group":"g"},"firmware":"fw","errorThreshold":{"count":0}}""", "errorThreshold")]
    [InlineData("""{"name":"d","target":{"group":"g"},"firmware":"fw","window":{"start":"25:00","end":"01:00"}}""", "HH:MM")]
    [InlineData("""{"name":"d","target":{"group":"g"},"configuration":{"schema-version":1,"nothing":1}}""", "the configuration is invalid")]
    public void A_bad_deployment_request_is_refused_with_the_reason(string json, string expected)
    {
        var spec = System.Text.Json.JsonSerializer.Deserialize(json, Cpe.VendorServer.AdminJsonContext.Default.DeploymentSpec)!;
        Assert.Contains(expected, DeploymentCheck.Problem(spec));
    }

    [Fact]
    public void A_good_deployment_request_passes()
    {
        var spec = new DeploymentSpec("fw-2.0", new DeploymentTarget(Group: "branch", Labels: ["region=eu"]))
        {
            Firmware = "fw-2.0.0.cpeb",
            Configuration = new JsonObject { ["schema-version"] = 1, ["system"] = new JsonObject { ["host-name"] = "x" } },
            Window = new MaintenanceWindowSpec("01:00", "04:00", ["mon", "tue"], "Europe/Paris"),
        };
        Assert.Null(DeploymentCheck.Problem(spec));
    }
}
