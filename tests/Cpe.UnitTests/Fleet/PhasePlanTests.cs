using Cpe.VendorServer.Deployments;
using Cpe.VendorServer.Storage;

namespace Cpe.UnitTests.Fleet;

/// <summary>Phase sizes from counts and cumulative percentages, and the error threshold.</summary>
[Trait("Kind", "Unit")]
public sealed class PhasePlanTests
{
    static readonly DeploymentTarget Anyone = new(Group: "g");

    [Fact]
    public void Percentages_are_cumulative_counts_add_and_100_percent_is_the_rest()
    {
        var spec = new DeploymentSpec("d", Anyone) { Phases = [new(Count: 5), new(Percent: 10, BakeSeconds: 60), new(Percent: 50), new(Percent: 100)], BakeSeconds = 30 };
        Assert.Equal([(5L, 30), (95L, 60), (400L, 30), (PhasePlan.Unlimited, 30)], PhasePlan.Sizes(spec, 1000));
        // A small target: each phase still takes at least one device.
        Assert.Equal([(5L, 30), (1L, 60), (1L, 30), (PhasePlan.Unlimited, 30)], PhasePlan.Sizes(spec, 3));
    }

    [Fact]
    public void The_automatic_split_is_one_device_then_ten_percent_then_the_rest_and_a_sized_last_phase_stays_sized()
    {
        Assert.Equal([(1L, 600), (99L, 600), (PhasePlan.Unlimited, 600)], PhasePlan.Sizes(new DeploymentSpec("d", Anyone), 1000));
        // "10 % of the fleet": the deployment ends there, devices beyond it are skipped.
        Assert.Equal([(100L, 600)], PhasePlan.Sizes(new DeploymentSpec("d", Anyone) { Phases = [new(Percent: 10)] }, 1000));
        // Nothing comes after the rest.
        Assert.Single(PhasePlan.Sizes(new DeploymentSpec("d", Anyone) { Phases = [new(Percent: 100), new(Count: 3)] }, 10));
    }

    [Fact]
    public void A_device_joins_pending_unless_the_current_phase_was_seen_full_then_it_waits_or_is_skipped_without_the_lock()
    {
        var spec = new DeploymentSpec("d", Anyone) { Phases = [new(Count: 2), new(Percent: 10)] };   // 2, then 98 (10 % of 1000 in all)
        DeploymentRow Row(string status, int phase, bool full) =>
            new(1, spec, status, null, phase, 1000, null, 5, null, "ann", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch) { CurrentPhaseFull = full };
        Assert.Equal((DeviceStates.Pending, (string?)null), DeploymentEngine.JoinsAs(Row(DeploymentRow.Running, 0, full: false)));
        Assert.Equal((DeviceStates.Pending, "phase 1 is full; waits for phase 2"), DeploymentEngine.JoinsAs(Row(DeploymentRow.Running, 0, full: true)));
        Assert.Equal((DeviceStates.Skipped, "beyond the deployment's last phase (98 device(s))"), DeploymentEngine.JoinsAs(Row(DeploymentRow.Completed, 1, full: true)));
        // Paused or halted: pending, decided when it runs again (as the locked path decides).
        Assert.Equal((DeviceStates.Pending, (string?)null), DeploymentEngine.JoinsAs(Row(DeploymentRow.Halted, 1, full: true)));
    }

    [Fact]
    public void The_threshold_counts_failures_or_a_percentage_once_the_sample_is_large_enough()
    {
        Assert.Null(HaltRule.Exceeded(new ErrorThreshold(Count: 3), 2, 10));
        Assert.Equal("3 device(s) failed (threshold 3)", HaltRule.Exceeded(new ErrorThreshold(Count: 3), 3, 10));
        var percent = new ErrorThreshold(Percent: 20, MinimumSample: 10);
        Assert.Null(HaltRule.Exceeded(percent, 3, 9));   // 33 % but only 9 finished
        Assert.Null(HaltRule.Exceeded(percent, 1, 10));
        Assert.Equal("2 of 10 finished device(s) failed, 20 % (threshold 20 % of at least 10)", HaltRule.Exceeded(percent, 2, 10));
    }
}
