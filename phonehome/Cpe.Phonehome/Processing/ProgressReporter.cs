using Cpe.Api;
using Cpe.Phonehome.Logging;
using Cpe.Phonehome.Platform;
using Cpe.Sztp;
using Microsoft.Extensions.Logging;

namespace Cpe.Phonehome.Processing;

/// <summary>
/// Says what the agent is doing, everywhere at once: a console line, a status for cped (the LED), and an RFC 8572
/// progress report to the bootstrap server when it is trusted and gave onboarding information. At the "minimal"
/// reporting level only what RFC 8572 requires goes to the server: bootstrap-initiated, every *-error,
/// boot-image-installed-rebooting and bootstrap-complete.
/// </summary>
public sealed class ProgressReporter(IAgentPlatform platform, ILogger log, BootstrapSession? session = null, string? reportingLevel = null)
{
    /// <summary>The agent's log (AgentLog's methods), which this reporter writes its lines to.</summary>
    public ILogger Log => log;

    /// <summary>An RFC 8572 progress type; reporting failures never stop provisioning.</summary>
    public async Task ReportAsync(string progressType, string? message, CancellationToken ct)
    {
        if (message is null) AgentLog.Progress(log, progressType);
        else AgentLog.ProgressWith(log, progressType, message);
        if (session is null || !Sends(reportingLevel, progressType)) return;
        try { await session.ReportAsync(new ProgressReport(progressType, message), ct); }
        catch (Exception e) when (e is BootstrapException or RestconfException)
        {
            AgentLog.ReportFailed(log, progressType, session.Server.Uri, e);
        }
    }

    /// <summary>A status change: console line and the "ztp" event the board's LED follows.</summary>
    public Task StatusAsync(string state, string message, CancellationToken ct, string? failure = null) =>
        StatusAsync(new ZtpStatusParams(state, message, failure), ct);

    /// <summary>A status change with the round's tries and the next round's time (the end of a failed round).</summary>
    public async Task StatusAsync(ZtpStatusParams status, CancellationToken ct)
    {
        AgentLog.Status(log, status.State, status.Message);
        try { await platform.StatusAsync(status, ct); }
        catch (PlatformUnavailableException e) { AgentLog.StatusNotTaken(log, e); }
    }

    /// <summary>Whether a progress type goes to the server at this reporting level (null: the server named none, verbose).</summary>
    public static bool Sends(string? reportingLevel, string type) =>
        reportingLevel != "minimal"
        || type is "bootstrap-initiated" or "boot-image-installed-rebooting" or "bootstrap-complete" || type.EndsWith("-error", StringComparison.Ordinal);
}
