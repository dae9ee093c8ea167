using Cpe.VendorServer.Deployments;

namespace Cpe.UnitTests.Fleet;

/// <summary>Maintenance windows resolved by the server in the site's time zone, daylight saving and midnight included.</summary>
[Trait("Kind", "Unit")]
public sealed class MaintenanceWindowTests
{
    static readonly TimeZoneInfo Paris = MaintenanceWindow.Zone("Europe/Paris")!, NewYork = MaintenanceWindow.Zone("America/New_York")!;

    [Fact]
    public void Inside_the_window_in_the_sites_own_time_is_open_and_outside_it_gives_the_next_opening()
    {
        var w = new MaintenanceWindowSpec("02:00", "05:00");
        // 01:30 UTC in December is 02:30 in Paris: open there, and not yet in New York (20:30 the day before).
        var now = new DateTimeOffset(2026, 12, 7, 1, 30, 0, TimeSpan.Zero);
        Assert.Null(MaintenanceWindow.NextOpening(w, Paris, now));
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 7, 0, 0, TimeSpan.Zero), MaintenanceWindow.NextOpening(w, NewYork, now));
        // 04:00 UTC is 05:00 in Paris: closed (the end is not in it); the next opening is tomorrow 02:00 Paris = 01:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 12, 8, 1, 0, 0, TimeSpan.Zero),
            MaintenanceWindow.NextOpening(w, Paris, new DateTimeOffset(2026, 12, 7, 4, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void A_window_across_midnight_is_open_after_midnight_and_belongs_to_the_day_it_starts()
    {
        var w = new MaintenanceWindowSpec("22:00", "02:00", Days: ["sat"]);
        // Saturday 2026-12-12 23:00 UTC and Sunday 01:00 UTC are in Saturday's window; Sunday 22:00 is not (only Saturdays).
        Assert.Null(MaintenanceWindow.NextOpening(w, TimeZoneInfo.Utc, new DateTimeOffset(2026, 12, 12, 23, 0, 0, TimeSpan.Zero)));
        Assert.Null(MaintenanceWindow.NextOpening(w, TimeZoneInfo.Utc, new DateTimeOffset(2026, 12, 13, 1, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 12, 19, 22, 0, 0, TimeSpan.Zero),
            MaintenanceWindow.NextOpening(w, TimeZoneInfo.Utc, new DateTimeOffset(2026, 12, 13, 22, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Daylight_saving_moves_the_window_in_utc_and_a_skipped_hour_opens_at_the_first_valid_minute()
    {
        var w = new MaintenanceWindowSpec("02:30", "04:00");
        // 2026-03-29 in Paris: 02:00 jumps to 03:00, so 02:30 does not exist; the window opens at 03:00 CEST = 01:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero),
            MaintenanceWindow.NextOpening(w, Paris, new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero)));
        // In summer 02:30 Paris is 00:30 UTC, in winter 01:30 UTC.
        Assert.Equal(new DateTimeOffset(2026, 7, 2, 0, 30, 0, TimeSpan.Zero), MaintenanceWindow.NextOpening(w, Paris, new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 1, 30, 0, TimeSpan.Zero), MaintenanceWindow.NextOpening(w, Paris, new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("2:00", "05:00", null, "UTC", "HH:MM")]
    [InlineData("02:00", "02:00", null, "UTC", "differ")]
    [InlineData("02:00", "05:00", "mon,funday", "UTC", "distinct days")]
    [InlineData("02:00", "05:00", "mon,mon", "UTC", "distinct days")]
    [InlineData("02:00", "05:00", null, "Mars/Olympus", "not a time zone")]
    public void A_bad_window_is_refused_with_the_reason(string start, string end, string? days, string zone, string expected) =>
        Assert.Contains(expected, MaintenanceWindow.Problem(new MaintenanceWindowSpec(start, end, days?.Split(','), zone)));
}
