namespace Cpe.Board.Leds;

/// <summary>
/// What the status LED shows for one state of the box: a colour, lit <see cref="OnMs"/> then dark <see cref="OffMs"/>
/// (steady when OffMs is 0); with <see cref="Blinks"/>, that many flashes then <see cref="PauseMs"/> dark, a blink
/// code a person can count. The table a technician reads is docs/guides/cli.md, "Status LED"; a unit test holds the
/// two together.
/// </summary>
public sealed record LedPattern(string State, string Colour, int OnMs, int OffMs = 0, int Blinks = 0, int PauseMs = 0)
{
    /// <summary>The colour lit at <paramref name="elapsed"/> since the pattern began; null when dark.</summary>
    public string? ColourAt(TimeSpan elapsed)
    {
        if (OffMs == 0) return Colour;
        long ms = (long)elapsed.TotalMilliseconds;
        int flash = OnMs + OffMs;
        if (Blinks == 0) return ms % flash < OnMs ? Colour : null;
        long cycle = Blinks * flash + PauseMs, at = ms % cycle;
        return at < Blinks * flash && at % flash < OnMs ? Colour : null;
    }

    /// <summary>How the technician's guide words it: "green, steady", "amber, blinking (125 ms on, 125 ms off)", "red, 3 blinks (…) then 1.5 s dark".</summary>
    public string Describe()
    {
        if (OffMs == 0) return $"{Colour}, steady";
        string flash = $"({OnMs} ms on, {OffMs} ms off)";
        return Blinks == 0 ? $"{Colour}, blinking {flash}" : $"{Colour}, {Blinks} blink{(Blinks == 1 ? "" : "s")} {flash} then {PauseMs / 1000.0:0.0#} s dark";
    }

    /// <summary>Every pattern a person can see, in the order the guide lists them.</summary>
    public static IEnumerable<LedPattern> All =>
        new[] { Booting, PhoningHome, Downloading, Installing, Applying, InService, Zeroizing }.Concat(Failures.Select(f => Failure(f.Failure)));

    /// <summary>
    /// Failure classes and their blink counts: red, N flashes, then a pause. The first five are what zero-touch reports
    /// (phonehome.report's "failure"); hardware and platform come from the box itself.
    /// </summary>
    public static readonly IReadOnlyList<(string Failure, int Blinks, string Meaning)> Failures =
    [
        ("unreachable", 1, "no bootstrap server or other source answered; retrying"),
        ("refused", 2, "bootstrap data refused: voucher, signature or server trust"),
        ("boot-image", 3, "boot image download, check or install failed"),
        ("configuration", 4, "the configuration failed its commit; the previous one is kept"),
        ("script", 5, "a zero-touch script failed"),
        ("hardware", 6, "a sensor is past its critical threshold"),
        ("platform", 7, "the platform is degraded (e.g. its state database was rebuilt)"),
    ];

    /// <summary>The failure classes phonehome.report accepts.</summary>
    public static IEnumerable<string> ZeroTouchFailures => Failures.Take(5).Select(f => f.Failure);

    public static readonly LedPattern Booting = new("booting", "amber", 1000);
    public static readonly LedPattern PhoningHome = new("phoning-home", "green", 500, 500);
    public static readonly LedPattern Downloading = new("downloading", "green", 125, 125);
    public static readonly LedPattern Installing = new("installing", "amber", 125, 125);
    public static readonly LedPattern Applying = new("applying-configuration", "amber", 500, 500);
    public static readonly LedPattern InService = new("in-service", "green", 1000);
    public static readonly LedPattern Zeroizing = new("zeroizing", "red", 1000);

    public static LedPattern Failure(string failure)
    {
        int blinks = Failures.FirstOrDefault(f => f.Failure == failure).Blinks;
        return new LedPattern($"failure-{failure}", "red", 250, 250, blinks == 0 ? 7 : blinks, 1500);
    }

    /// <summary>The reset button held for <paramref name="held"/> of <paramref name="hold"/>: red, blinking faster as the hold goes on (500 ms to 100 ms).</summary>
    public static LedPattern ResetHeld(TimeSpan held, TimeSpan hold)
    {
        double done = Math.Clamp(held / hold, 0, 1);
        int half = (int)Math.Round(500 - 400 * done);
        return new LedPattern("reset-held", "red", half, half);
    }
}
