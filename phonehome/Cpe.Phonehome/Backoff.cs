namespace Cpe.Phonehome;

/// <summary>
/// The waits between rounds over the bootstrap servers: exponential from <see cref="First"/>, doubling up
/// to <see cref="Cap"/>, each spread by ±<see cref="Jitter"/> so a thousand boxes powered on together do not
/// call the server in step (docs/reference/phonehome.md).
/// </summary>
public sealed class Backoff(Random random)
{
    public TimeSpan First { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan Cap { get; init; } = TimeSpan.FromMinutes(5);
    public double Jitter { get; init; } = 0.25;

    /// <summary>The wait before round <paramref name="attempt"/> (0 is the first retry).</summary>
    public TimeSpan Delay(int attempt)
    {
        double nominal = Math.Min(First.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)), Cap.TotalMilliseconds);
        double spread = 1 + Jitter * (2 * random.NextDouble() - 1);
        return TimeSpan.FromMilliseconds(nominal * spread);
    }
}
