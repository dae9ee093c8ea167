using Cpe.Api;

namespace Cpe.Platform.Provisioning;

/// <summary>Where zero-touch stands after each of the agent's reports (phonehome.report), and when that is an alarm.</summary>
public static class ZeroTouchStatus
{
    /// <summary>Zero-touch has completed (and the fleet check-in may run): nothing to retry, no failing rounds.</summary>
    public static bool Done(string state) => state is "complete" or "in-service";

    /// <summary>
    /// The status after <paramref name="report"/>. A failed round's tries stay shown while the next round runs, until a
    /// round succeeds; failing counts from the first round that ended with tries and nothing usable.
    /// </summary>
    public static ZtpStatus Next(ZtpStatus previous, ZtpStatusParams report, string? reporter, DateTimeOffset now)
    {
        bool done = Done(report.State);
        return new ZtpStatus(report.State, report.Message, previous.State == report.State ? previous.Since : now, reporter, report.Failure)
        {
            Attempts = done ? [] : report.Attempts ?? previous.Attempts,
            NextRound = done ? null : report.NextRound ?? (report.State == previous.State ? previous.NextRound : null),
            FailingSince = done ? null : previous.FailingSince ?? (report.Attempts is { Length: > 0 } ? now : null),
        };
    }

    /// <summary>The alarm's text when rounds have found nothing usable for at least <paramref name="limit"/>, else null.</summary>
    public static string? Failing(ZtpStatus status, DateTimeOffset now, TimeSpan limit) =>
        status.FailingSince is DateTimeOffset since && now - since >= limit
            ? $"zero-touch has found no usable bootstrap data since {since:u}: {status.Message}; 'show system zero-touch' shows each source's last try"
            : null;
}
