namespace Cpe.VendorServer;

/// <summary>The vendor server's log messages, with stable event ids (docs/guides/vendor-server.md).</summary>
static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "{Count} check-ins could not be recorded")]
    public static partial void CheckInsNotRecorded(ILogger logger, int count, Exception reason);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "device {Serial} in deployment {Deployment}: {From} -> {To} {Reason}")]
    public static partial void DeviceMoved(ILogger logger, string serial, long deployment, string from, string to, string reason);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "deployment {Deployment} ({Name}): {What}")]
    public static partial void DeploymentMoved(ILogger logger, long deployment, string name, string what);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Error, Message = "the deployment gate failed; it runs again next period")]
    public static partial void GateFailed(ILogger logger, Exception exception);
}
