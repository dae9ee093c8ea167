using Cpe.Api;
using Cpe.Cli.Shell;

namespace Cpe.UnitTests.Cli;

[Trait("Kind", "Unit")]
public class BroadcastsTests
{
    static ApiEvent Event(string type, string text) => new(1, DateTimeOffset.UnixEpoch, type, text);

    [Fact]
    public void An_automatic_rollback_is_told_to_every_session()
    {
        string? m = Broadcasts.MessageFor(Event("commit-confirmed-expired", "commit confirmed of revision 5 was not confirmed by 2026-12-06 10:00:00Z; revision 4 restored"), configuring: false);
        Assert.StartsWith("commit confirmed of revision 5 was not confirmed", m);
        Assert.Contains("'show | compare'", m);
    }

    [Fact]
    public void A_commit_by_zero_touch_or_the_fleet_is_told_only_to_sessions_editing_the_configuration()
    {
        var ztp = Event("commit", "revision 9 committed by phonehome via ztp: bootstrap");
        Assert.Null(Broadcasts.MessageFor(ztp, configuring: false));
        Assert.Contains("'update' merges", Broadcasts.MessageFor(ztp, configuring: true));
        Assert.Null(Broadcasts.MessageFor(Event("commit", "revision 10 committed by ann via cli"), configuring: true));
    }

    [Fact]
    public void Progress_reports_are_not_broadcast()
    {
        Assert.Null(Broadcasts.MessageFor(Event("ztp", "discovering: trying DHCP option 143 on ge-0/0/0"), false));
        Assert.Null(Broadcasts.MessageFor(Event("alarm-raised", "minor alarm x"), false));
        Assert.Equal("reboot requested by ann", Broadcasts.MessageFor(Event("power", "reboot requested by ann"), false));
    }
}
