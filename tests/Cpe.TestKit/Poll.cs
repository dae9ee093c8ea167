namespace Cpe.TestKit;

/// <summary>Waiting in a test for something the system does on its own time (a check-in, a gate, a box's reboot).</summary>
public static class Poll
{
    /// <summary>Checks <paramref name="condition"/> every <paramref name="every"/> until it holds; a <see cref="TimeoutException"/> naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan every)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(what);
            await Task.Delay(every);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, TimeSpan every) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what, every);
}
