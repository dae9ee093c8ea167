using Cpe.Platform.Api;
using Cpe.TestKit;
using Microsoft.Extensions.Logging;

namespace Cpe.UnitTests.Api;

[Trait("Kind", "Unit")]
public sealed class RefusalLogTests
{
    sealed class Lines : ILogger
    {
        public readonly List<string> Logged = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Logged.Add(formatter(state, exception));
    }

    [Fact]
    public void A_flood_of_one_kind_is_one_line_a_second_with_the_count_in_between()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var lines = new Lines();
        var log = new RefusalLog(lines, clock);
        for (int i = 0; i < 50; i++) log.Note(RefusalKind.Refused, "refused " + i);
        clock.Advance(TimeSpan.FromSeconds(1));
        log.Note(RefusalKind.Refused, "refused later");
        Assert.Equal(2, lines.Logged.Count);
        Assert.Contains("refused 0 (0 more", lines.Logged[0]);
        Assert.Contains("refused later (49 more", lines.Logged[1]);
    }

    [Fact]
    public void One_kind_flooding_does_not_hide_another()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var lines = new Lines();
        var log = new RefusalLog(lines, clock);
        for (int i = 0; i < 20; i++) log.Note(RefusalKind.FailedBeforeSession, "failed " + i);
        log.Note(RefusalKind.AcceptFailed, "accept failed (TooManyOpenSockets)");
        Assert.Equal(2, lines.Logged.Count);
        Assert.Contains("accept failed (TooManyOpenSockets)", lines.Logged[1]);
    }
}
