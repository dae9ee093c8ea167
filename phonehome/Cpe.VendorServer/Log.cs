namespace Cpe.VendorServer;

/// <summary>The vendor server's log messages, with stable event ids (docs/guides/vendor-server.md).</summary>
static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "{Count} check-ins could not be recorded: {Reason}")]
    public static partial void CheckInsNotRecorded(ILogger logger, int count, string reason);
}
