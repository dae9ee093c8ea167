using Cpe.Api;
using Cpe.Platform.Events;
using Microsoft.Extensions.Logging;

namespace Cpe.Platform.Logging;

/// <summary>
/// Writes each log line to standard error (the journal or console) and publishes it as a structured
/// <see cref="LogLine"/> to API clients that opened the "logs" channel.
/// </summary>
public sealed class PlatformLoggerProvider(TextWriter sink, TimeProvider clock, LogLevel minimum) : ILoggerProvider
{
    public Broadcast<LogLine> Lines { get; } = new(1024);
    readonly Lock _write = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    void Write(LogLevel level, string category, EventId id, string message)
    {
        var now = clock.GetUtcNow();
        string levelName = level switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warning",
            LogLevel.Error => "error",
            _ => "critical",
        };
        string shortCategory = category[(category.LastIndexOf('.') + 1)..];
        lock (_write) sink.WriteLine($"{now:yyyy-MM-dd HH:mm:ss.fff} {levelName,-8} {shortCategory}[{id.Id}] {message}");
        Lines.Publish(new LogLine(now, levelName, shortCategory, id.Id, message));
    }

    sealed class Logger(PlatformLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.Minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            // The exception is passed whole (DESIGN.md: never flattened by the caller); the file shows its message after the text.
            string text = formatter(state, exception);
            owner.Write(logLevel, category, eventId, exception is null ? text : $"{text}: {exception.Message}");
        }
    }

    internal LogLevel Minimum => minimum;
}
