using Cpe.Sztp;
using Cpe.VendorServer.Deployments;

namespace Cpe.UnitTests.Fleet;

/// <summary>VNF package versions in a deployment: done only when the box's VNFs run them, failed when the box gives them up.</summary>
[Trait("Kind", "Unit")]
public sealed class VnfGoalTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    static readonly DeploymentSpec Spec = new("d", new DeploymentTarget(Group: "g")) { Vnfs = [new("firewall", "2.0.0")], DeviceTimeoutMinutes = 30 };
    static readonly Goal Goal = new(null, null, Spec.Vnfs);

    static DeviceReport Report(VnfReport? vnfs, VnfFailure[]? failures = null) =>
        new("1.0.0", 3, false, null, null, null, []) { Vnfs = vnfs, VnfFailures = failures };

    static VnfReport Box(string runs, string state = "running", bool unconfirmed = false, params string[] packages) =>
        new(packages.Length > 0 ? packages : ["firewall:1.0.0", "firewall:2.0.0"],
            [new("fw-0", "fw", runs, state), new("fw-1", "fw", runs, state), new("nat-0", "nat", "nat:0.1.0", "running")], unconfirmed);

    [Fact]
    public void The_goal_is_met_only_when_every_VNF_of_the_package_runs_the_version_confirmed_and_not_failed()
    {
        Assert.Contains("reports no VNFs", Goal.Missing(Report(null)));
        Assert.Equal("has no VNF package firewall:2.0.0 yet", Goal.Missing(Report(Box("firewall:1.0.0", packages: ["firewall:1.0.0"]))));
        Assert.Equal("VNF fw-0 runs firewall:1.0.0, not firewall:2.0.0", Goal.Missing(Report(Box("firewall:1.0.0"))));
        Assert.Equal("VNF fw-0 (firewall:2.0.0) is failed", Goal.Missing(Report(Box("firewall:2.0.0", "failed"))));
        Assert.Equal("the switch of its VNFs is not confirmed yet", Goal.Missing(Report(Box("firewall:2.0.0", unconfirmed: true))));
        Assert.Null(Goal.Missing(Report(Box("firewall:2.0.0", "starting"))));
        // A box that has the package but no VNF running it is done too: nothing on it runs another version.
        Assert.Null(Goal.Missing(Report(new VnfReport(["firewall:2.0.0"], [], false))));
    }

    [Fact]
    public void A_box_that_gave_the_version_up_fails_and_one_that_crashes_during_the_bake_time_fails()
    {
        var m = new MemberState(DeviceStates.Installing, null, T0, null, new Before("1.0.0", 3, []));
        var gaveUp = Report(Box("firewall:1.0.0"), [new VnfFailure("firewall", "1.5.0", "old", T0), new VnfFailure("firewall", "2.0.0", "commit refused: vnfs: 3 cores short", T0)]);
        var failed = DeviceTracker.Next(m, Goal, gaveUp, TimeSpan.FromMinutes(5), Spec, T0.AddMinutes(1));
        Assert.Equal((DeviceStates.Failed, "VNF package firewall:2.0.0 given up: commit refused: vnfs: 3 cores short"), (failed.State, failed.Reason));
        // Another version's failure is not this deployment's.
        var other = Report(Box("firewall:1.0.0"), [new VnfFailure("firewall", "1.5.0", "old", T0)]);
        Assert.Equal(DeviceStates.Installing, DeviceTracker.Next(m, Goal, other, TimeSpan.FromMinutes(5), Spec, T0.AddMinutes(1)).State);

        // Switched, and crash-looping before the switch was confirmed: failed at once, not after the device timeout.
        var broken = DeviceTracker.Next(m, Goal, Report(Box("firewall:2.0.0", "failed", unconfirmed: true)), TimeSpan.FromMinutes(5), Spec, T0.AddMinutes(1));
        Assert.Equal((DeviceStates.Failed, "VNF fw-0 (firewall:2.0.0) is failed"), (broken.State, broken.Reason));

        var verifying = DeviceTracker.Next(m, Goal, Report(Box("firewall:2.0.0")), TimeSpan.FromMinutes(5), Spec, T0.AddMinutes(2));
        Assert.Equal(DeviceStates.Verifying, verifying.State);
        var crashed = DeviceTracker.Next(verifying, Goal, Report(Box("firewall:2.0.0", "failed")), TimeSpan.FromMinutes(5), Spec, T0.AddMinutes(3));
        Assert.Equal((DeviceStates.Failed, "during the bake time: VNF fw-0 (firewall:2.0.0) is failed"), (crashed.State, crashed.Reason));
        Assert.Equal(DeviceStates.Succeeded, DeviceTracker.Next(verifying, Goal, Report(Box("firewall:2.0.0")), TimeSpan.FromMinutes(5), Spec, T0.AddMinutes(7)).State);
    }

    [Fact]
    public void What_ran_before_is_kept_per_package_for_a_rollback()
    {
        var request = new CheckInRequest("S", "sim", "cpe-firmware", "1.0.0", 1, 1, "fleet", 3, false, [], null, "n")
        {
            Vnfs = Box("firewall:1.0.0"),
        };
        var before = Before.From(request);
        Assert.Equal([new VnfVersion("firewall", "1.0.0"), new VnfVersion("nat", "0.1.0")], before.Vnfs!);
        Assert.Null(Before.From(request with { Vnfs = null }).Vnfs);
    }

    [Fact]
    public void Bad_VNF_lists_are_refused_when_the_deployment_is_made()
    {
        Assert.Equal("vnfs lists 1 to 16 VNF packages", DeploymentCheck.Problem(Spec with { Vnfs = [] }));
        Assert.Equal("vnfs names each package once", DeploymentCheck.Problem(Spec with { Vnfs = [new("fw", "1"), new("fw", "2")] }));
        Assert.StartsWith("vnfs: a VNF package name must be", DeploymentCheck.Problem(Spec with { Vnfs = [new(".x", "1")] }));
        Assert.StartsWith("a deployment carries", DeploymentCheck.Problem(Spec with { Vnfs = null }));
        Assert.Null(DeploymentCheck.Problem(Spec));
    }

    [Fact]
    public void A_chain_that_passed_traffic_before_and_no_longer_does_is_unhealthy_one_already_broken_is_not()
    {
        var before = new Before("1.0.0", 3, []) { PassingChains = ["web"] };
        static DeviceReport With(params ChainReport[] chains) => Report(Box("firewall:2.0.0") with { Chains = chains });
        Assert.Null(DeviceTracker.Unhealthy(before, With(new ChainReport("web", true, null), new ChainReport("lab", false, "hop x has no running replica (fail-closed: traffic is dropped)")), Spec));
        Assert.Equal("service chain web does not pass traffic: hop fw has no running replica (fail-open: traffic bypasses it)",
            DeviceTracker.Unhealthy(before, With(new ChainReport("web", false, "hop fw has no running replica (fail-open: traffic bypasses it)")), Spec));
        // A box that did not report its chains when it started: any chain not passing counts.
        Assert.NotNull(DeviceTracker.Unhealthy(new Before("1.0.0", 3, []), With(new ChainReport("lab", false, "…")), Spec));
        var request = new CheckInRequest("S", "sim", "cpe-firmware", "1.0.0", 1, 1, "fleet", 3, false, [], null, "n")
        { Vnfs = Box("firewall:1.0.0") with { Chains = [new("web", true, null), new("lab", false, "…")] } };
        Assert.Equal(["web"], Before.From(request).PassingChains!);
    }
}
