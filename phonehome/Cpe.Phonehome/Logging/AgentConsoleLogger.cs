using Microsoft.Extensions.Logging;

namespace Cpe.Phonehome.Logging;

/// <summary>
/// The agent's log as the technician and the journal read it: one line per message, "ZTP: " and the message, and for
/// a failure ": " and its exception's message. Lines from concurrent callers never interleave.
/// </summary>
public sealed class AgentConsoleLogger(TextWriter console) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        string text = formatter(state, exception);
        if (exception is not null) text += ": " + exception.Message;
        lock (console) console.WriteLine("ZTP: " + text);
    }
}
