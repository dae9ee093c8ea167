using System.Net;
using Microsoft.Extensions.Logging;

namespace Cpe.Phonehome.Logging;

/// <summary>
/// Every line the agent prints, with stable event ids (docs/reference/phonehome.md, "Console lines and status"). A
/// failure is passed as its exception; <see cref="AgentConsoleLogger"/> ends its line with the exception's message.
/// Texts that other parts compose (the firmware installer's steps, a check-in's result) go through
/// <see cref="Firmware"/> and <see cref="FleetResult"/>, one event each.
/// </summary>
public static partial class AgentLog
{
    [LoggerMessage(3000, LogLevel.Information, "cpe-phonehome {Version}: serial number {SerialNumber}")]
    public static partial void Started(ILogger log, string version, string serialNumber);

    [LoggerMessage(3001, LogLevel.Information, "a new boot image is installed: the box reboots into it")]
    public static partial void Rebooting(ILogger log);

    [LoggerMessage(3002, LogLevel.Information, "bootstrapped at {CompletedAt}; fleet check-in only")]
    public static partial void FleetOnly(ILogger log, string completedAt);

    [LoggerMessage(3003, LogLevel.Information, "stopped")]
    public static partial void Stopped(ILogger log);

    [LoggerMessage(3010, LogLevel.Information, "{Settled}; bootstrapping again")]
    public static partial void BootstrappingAgain(ILogger log, string settled);

    [LoggerMessage(3011, LogLevel.Warning, "{Source}")]
    public static partial void SourceFailed(ILogger log, string source, Exception error);

    [LoggerMessage(3012, LogLevel.Warning, "{Candidate}")]
    public static partial void CandidateInterrupted(ILogger log, string candidate, Exception error);

    [LoggerMessage(3013, LogLevel.Information, "retry requested on the box: next round now")]
    public static partial void RetryRequested(ILogger log);

    [LoggerMessage(3014, LogLevel.Information, "conveyed information found on {From}")]
    public static partial void ConveyedFound(ILogger log, string from);

    [LoggerMessage(3015, LogLevel.Warning, "more than {Limit} redirects; not following {Server}")]
    public static partial void TooManyRedirects(ILogger log, int limit, Uri server);

    [LoggerMessage(3016, LogLevel.Warning, "{Server} (from {From}): cannot resolve")]
    public static partial void CannotResolve(ILogger log, Uri server, string from, Exception error);

    [LoggerMessage(3017, LogLevel.Warning, "{Server} at {Address}")]
    public static partial void ServerFailed(ILogger log, Uri server, IPAddress address, Exception error);

    [LoggerMessage(3018, LogLevel.Information, "{Server} is {Trust}")]
    public static partial void ServerTrust(ILogger log, Uri server, string trust);

    [LoggerMessage(3019, LogLevel.Information, "redirect information from {From}: {Servers}")]
    public static partial void Redirected(ILogger log, string from, string servers);

    [LoggerMessage(3020, LogLevel.Information, "resuming: already done for this onboarding information: {Completed}")]
    public static partial void Resuming(ILogger log, string completed);

    [LoggerMessage(3021, LogLevel.Information, "{ProgressType}")]
    public static partial void Progress(ILogger log, string progressType);

    [LoggerMessage(3022, LogLevel.Information, "{ProgressType}: {Message}")]
    public static partial void ProgressWith(ILogger log, string progressType, string message);

    [LoggerMessage(3023, LogLevel.Warning, "could not report {ProgressType} to {Server}")]
    public static partial void ReportFailed(ILogger log, string progressType, Uri server, Exception error);

    [LoggerMessage(3024, LogLevel.Information, "[{State}] {Message}")]
    public static partial void Status(ILogger log, string state, string message);

    [LoggerMessage(3025, LogLevel.Warning, "cped did not take the status")]
    public static partial void StatusNotTaken(ILogger log, Exception error);

    [LoggerMessage(3030, LogLevel.Information, "{Text}")]
    public static partial void Firmware(ILogger log, string text);

    [LoggerMessage(3040, LogLevel.Information, "{Text}")]
    public static partial void FleetResult(ILogger log, string text);

    [LoggerMessage(3041, LogLevel.Warning, "no bootstrap server to check in with (bootstrapped from local media)")]
    public static partial void NoServerToCheckIn(ILogger log);

    [LoggerMessage(3042, LogLevel.Information, "the fleet wants firmware {Version} (running {Running}): installing")]
    public static partial void FleetFirmwareWanted(ILogger log, string version, string running);
}
