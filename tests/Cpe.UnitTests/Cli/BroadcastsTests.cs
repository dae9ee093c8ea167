using Cpe.Api;
using Cpe.Cli.Shell;

namespace Cpe.UnitTests.Cli;

public class BroadcastsTests
{
    static ApiEvent Event(string type, string text) => new(1, DateTimeOffset.UnixEpoch, type, text);

    [Fact]
    public void An_automatic_rollback_is_told_to_every_session()
    {
        var b = new Broadcasts();
        string? m = b.MessageFor(Event("commit-confirmed-expired", "commit confirmed of revision 5 was not confirmed by 2026-12-06 10:00:00Z; revision 4 restored"), configuring: false);
        Assert.StartsWith("commit confirmed of revision 5 was not confirmed", m);
        Assert.Contains("'show | compare'", m);
    }

    [Fact]
    public void A_commit_by_zero_touch_or_the_fleet_is_told_only_to_sessions_editing_the_configuration()
    {
        var b = new Broadcasts();
        var ztp = Event("commit", "revision 9 committed by phonehome via ztp: bootstrap");
        Assert.Null(b.MessageFor(ztp, configuring: false));
        Assert.Contains("'update' merges", b.MessageFor(ztp, configuring: true));
        Assert.Null(b.MessageFor(Event("commit", "revision 10 committed by ann via cli"), configuring: true));
    }

    [Fact]
    public void Each_zero_touch_stage_is_told_once_not_at_every_retry_round()
    {
        var b = new Broadcasts();
        var stage = Event("ztp", "discovering: trying DHCP option 143 on ge-0/0/0");
        Assert.Equal("zero-touch discovering: trying DHCP option 143 on ge-0/0/0", b.MessageFor(stage, false));
        Assert.Null(b.MessageFor(stage, false));
        Assert.NotNull(b.MessageFor(Event("ztp", "bootstrap-complete: done"), false));
        Assert.Null(b.MessageFor(Event("alarm-raised", "minor alarm x"), false));
    }
}
