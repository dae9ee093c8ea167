namespace Cpe.Board.Buttons;

/// <summary>What a reset button's presses mean (docs/guides/cli.md, "Reset button").</summary>
public enum ResetAction { None, Reboot, Zeroize }

/// <summary>
/// The reset button's timing, fed one sample per poll: a press released within <see cref="ShortPress"/> asks for a
/// reboot; held for <see cref="Hold"/> it zeroizes at once (the person need not let go); released in between, nothing
/// happens, so a person who changes their mind can. A level must hold for two samples in a row to count (debounce).
/// </summary>
public sealed class ResetButton(TimeSpan? hold = null)
{
    public static readonly TimeSpan ShortPress = TimeSpan.FromSeconds(2);
    public TimeSpan Hold { get; } = hold ?? TimeSpan.FromSeconds(10);

    bool _stable, _candidate, _fired;
    DateTimeOffset _pressedAt;

    /// <summary>How long the button has been held now; null when it is not pressed.</summary>
    public TimeSpan? Held(DateTimeOffset now) => _stable ? now - _pressedAt : null;

    public ResetAction Sample(bool pressed, DateTimeOffset now)
    {
        if (pressed != _candidate)
        {
            _candidate = pressed;   // a new level: counts only if the next sample agrees
            return ResetAction.None;
        }
        if (pressed != _stable)
        {
            _stable = pressed;
            if (pressed)
            {
                _pressedAt = now;
                _fired = false;
                return ResetAction.None;
            }
            return !_fired && now - _pressedAt < ShortPress ? ResetAction.Reboot : ResetAction.None;
        }
        if (pressed && !_fired && now - _pressedAt >= Hold)
        {
            _fired = true;
            return ResetAction.Zeroize;
        }
        return ResetAction.None;
    }
}
