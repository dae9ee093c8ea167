using Cpe.Platform;
using Cpe.Platform.Logging;
using Cpe.TestKit;
using Microsoft.Extensions.Logging;

namespace Cpe.UnitTests.Platform;

[Trait("Kind", "Unit")]
public class PlatformLoggerProviderTests
{
    [Fact]
    public void A_failure_is_logged_with_its_exception_whose_message_the_line_ends_with()
    {
        var sink = new StringWriter();
        using var provider = new PlatformLoggerProvider(sink, new ManualClock(new DateTimeOffset(2026, 12, 7, 23, 0, 0, TimeSpan.Zero)), LogLevel.Information);
        var log = provider.CreateLogger("Cpe.Platform.Configuration.ConfigEngine");
        var failure = new IOException("RTM_NEWLINK br-lan: File exists (EEXIST)");

        Log.ReconcileFailed(log, "network", failure);

        Assert.Equal("2026-12-07 23:00:00.000 error    ConfigEngine[1100] subsystem network failed to apply the configuration: RTM_NEWLINK br-lan: File exists (EEXIST)",
            sink.ToString().TrimEnd());
    }

    [Fact]
    public void The_exception_reaches_the_logger_whole()
    {
        var recorder = new Recorder();
        var failure = new InvalidOperationException("vnf refuses this configuration");
        Log.RestoreFailed(recorder, "vnf", failure);
        Assert.Same(failure, recorder.Exception);
        Assert.Equal("subsystem vnf failed to restore the previous configuration", recorder.Text);
    }

    sealed class Recorder : ILogger
    {
        public Exception? Exception { get; private set; }
        public string? Text { get; private set; }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            (Exception, Text) = (exception, formatter(state, exception));
    }
}
