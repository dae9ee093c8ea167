using System.Globalization;

namespace Cpe.VendorServer.Deployments;

/// <summary>
/// A daily maintenance window resolved by the server in the site's own time zone (IANA name, e.g. "Europe/Paris"),
/// daylight saving included; the box's clock is never asked. A window whose End is earlier than its Start crosses
/// midnight and belongs to the day it starts on.
/// </summary>
public static class MaintenanceWindow
{
    static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    public static string? Problem(MaintenanceWindowSpec w)
    {
        if (!TryTime(w.Start, out var start) || !TryTime(w.End, out var end)) return "window start and end are HH:MM (00:00 to 23:59)";
        if (start == end) return "a window's start and end differ";
        if (w.Days is { } days && (days.Length is 0 or > 7 || days.Any(d => !DayNames.Contains(d)) || days.Distinct().Count() != days.Length))
            return "window days lists distinct days among mon, tue, wed, thu, fri, sat, sun";
        return Zone(w.DefaultTimeZone) is null ? $"'{w.DefaultTimeZone}' is not a time zone this server knows (an IANA name such as Europe/Paris)" : null;
    }

    /// <summary>The time zone with this IANA name, or null when the server's time zone database lacks it.</summary>
    public static TimeZoneInfo? Zone(string name)
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById(name); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException) { return null; }
    }

    /// <summary>Null when <paramref name="now"/> is inside the window in <paramref name="zone"/>; otherwise when it next opens.</summary>
    public static DateTimeOffset? NextOpening(MaintenanceWindowSpec w, TimeZoneInfo zone, DateTimeOffset now)
    {
        TryTime(w.Start, out var start);
        TryTime(w.End, out var end);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        // The window that started yesterday may still be open (it crosses midnight); then today's, then the next days'.
        for (int day = -1; day <= 8; day++)
        {
            var date = DateOnly.FromDateTime(local.DateTime).AddDays(day);
            if (w.Days is { } days && !days.Contains(DayNames[(int)date.DayOfWeek])) continue;
            var opens = At(zone, date, start);
            var closes = At(zone, end > start ? date : date.AddDays(1), end);
            if (now >= opens && now < closes) return null;
            if (opens > now) return opens;
        }
        return null;   // unreachable: a valid window opens within a week
    }

    /// <summary>A local wall-clock time as an instant; a time skipped by a DST jump is taken as the first valid one after it.</summary>
    static DateTimeOffset At(TimeZoneInfo zone, DateOnly date, TimeOnly time)
    {
        var wall = date.ToDateTime(time, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(wall)) wall = wall.AddMinutes(1);
        return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
    }

    static bool TryTime(string text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
}
