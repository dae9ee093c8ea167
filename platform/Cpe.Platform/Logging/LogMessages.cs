using Cpe.Api;
using Cpe.Platform.Api;

namespace Cpe.Platform.Logging;

/// <summary>system.messages: the newest lines of the platform's log file, what "show log messages" pages through.</summary>
public static class LogMessages
{
    /// <summary>Lines one call returns at most; their bytes are bounded too, to fit one API message with room to spare.</summary>
    public const int MaxLines = 5000;
    const int MaxBytes = ApiMethods.MaxMessageBytes / 2;

    public static void AddMethods(MethodTable t, string? logFile)
    {
        var j = ApiJsonContext.Default;
        t.Add(ApiMethods.Messages, Access.Read, j.LogParams, j.MessagesResult, (_, p, _) => Task.FromResult(Read(logFile, p.Count)));
    }

    static MessagesResult Read(string? logFile, int count)
    {
        if (logFile is null) return new MessagesResult(null, []);
        var lines = LogTail.Last(Math.Clamp(count, 1, MaxLines), RotatingLogFile.Previous(logFile), logFile);
        long bytes = 0;
        int keep = lines.Count;
        // The newest lines are the ones kept when the whole would be too big.
        while (keep > 0 && (bytes += lines[keep - 1].Length + 8) <= MaxBytes) keep--;
        return new MessagesResult(logFile, [.. lines.Skip(keep)]);
    }
}
