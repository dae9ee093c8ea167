using Cpe.Board.Leds;

namespace Cpe.Platform.Board;

/// <summary>Everything the status LED depends on, as last seen.</summary>
public sealed record StatusLedInputs(bool Started, string ZtpState, string? ZtpFailure, bool Configured, bool HardwareCritical, bool PlatformDegraded,
    TimeSpan? ResetHeld, TimeSpan ResetHold, bool Zeroizing);

/// <summary>
/// Which pattern the status LED shows (docs/guides/cli.md, "Status LED"): what a person does at the box first (zeroize,
/// a held reset button), then whether the platform is up, a critical sensor, then where zero-touch is, then in
/// service. A box that was configured by hand (no zero-touch report) is in service.
/// </summary>
public static class StatusLedState
{
    public static LedPattern Decide(StatusLedInputs i)
    {
        if (i.Zeroizing) return LedPattern.Zeroizing;
        if (i.ResetHeld is TimeSpan held) return LedPattern.ResetHeld(held, i.ResetHold);
        if (!i.Started) return LedPattern.Booting;
        if (i.HardwareCritical) return LedPattern.Failure("hardware");
        var ztp = i.ZtpState switch
        {
            "downloading" => LedPattern.Downloading,
            "installing" or "rebooting" => LedPattern.Installing,
            "configuring" => LedPattern.Applying,
            "failed" => LedPattern.Failure(i.ZtpFailure ?? "refused"),
            "discovering" or "connecting" => i.ZtpFailure == "unreachable" ? LedPattern.Failure("unreachable") : LedPattern.PhoningHome,
            "complete" or "in-service" => LedPattern.InService,
            _ => i.Configured ? LedPattern.InService : LedPattern.PhoningHome,   // "idle": nothing reported yet
        };
        return ztp == LedPattern.InService && i.PlatformDegraded ? LedPattern.Failure("platform") : ztp;
    }
}
