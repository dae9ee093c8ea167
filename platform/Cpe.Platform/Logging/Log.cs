using Microsoft.Extensions.Logging;

namespace Cpe.Platform;

/// <summary>Every log message of the platform, with stable event ids (docs/reference/logging.md).</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "cped {Version} ready on {Socket} (state {StateDir}) in {Milliseconds} ms")]
    public static partial void Ready(ILogger log, string version, string socket, string stateDir, long milliseconds);

    [LoggerMessage(1001, LogLevel.Information, "SIGTERM: stopping")]
    public static partial void Stopping(ILogger log);

    [LoggerMessage(1002, LogLevel.Information, "stopped cleanly")]
    public static partial void Stopped(ILogger log);

    [LoggerMessage(1010, LogLevel.Critical, "state database unreadable ({Problem}); moved to {MovedTo}; restored from {RestoredFrom}")]
    public static partial void StoreRecovered(ILogger log, string problem, string movedTo, string restoredFrom);

    [LoggerMessage(1011, LogLevel.Warning, "{Text}")]
    public static partial void StoreSchemaFallback(ILogger log, string text);

    [LoggerMessage(1100, LogLevel.Error, "subsystem {Subsystem} failed to apply the configuration")]
    public static partial void ReconcileFailed(ILogger log, string subsystem, Exception error);

    [LoggerMessage(1101, LogLevel.Error, "subsystem {Subsystem} failed to restore the previous configuration")]
    public static partial void RestoreFailed(ILogger log, string subsystem, Exception error);

    [LoggerMessage(1102, LogLevel.Error, "subsystem {Subsystem} failed to apply the active configuration at start")]
    public static partial void StartReconcileFailed(ILogger log, string subsystem, Exception error);

    [LoggerMessage(1103, LogLevel.Warning, "commit confirmed of revision {Revision} expired; previous revision restored")]
    public static partial void ConfirmExpired(ILogger log, long revision);

    [LoggerMessage(1104, LogLevel.Critical, "commit confirmed of revision {Revision} expired but could not be rolled back")]
    public static partial void RevertFailed(ILogger log, long revision, Exception error);

    [LoggerMessage(1200, LogLevel.Information, "API session {Session} opened: pid {Pid} uid {Uid} user {User} role {Role}")]
    public static partial void SessionOpened(ILogger log, int session, int pid, uint uid, string user, string role);

    [LoggerMessage(1201, LogLevel.Information, "API session {Session} closed")]
    public static partial void SessionClosed(ILogger log, int session);

    [LoggerMessage(1202, LogLevel.Warning, "API session {Session}: {Problem}")]
    public static partial void SessionProblem(ILogger log, int session, string problem);

    [LoggerMessage(1206, LogLevel.Warning, "API session {Session}: connection dropped")]
    public static partial void SessionDropped(ILogger log, int session, Exception error);

    [LoggerMessage(1203, LogLevel.Warning, "API session {Session} refused {Method}: {Reason}")]
    public static partial void Refused(ILogger log, int session, string method, string reason);

    [LoggerMessage(1204, LogLevel.Error, "API method {Method} failed unexpectedly: {Error}")]
    public static partial void MethodFailed(ILogger log, string method, string error);

    [LoggerMessage(1205, LogLevel.Warning, "API connection: {Problem} ({Suppressed} more since the last such line)")]
    public static partial void ConnectionProblem(ILogger log, string problem, int suppressed);

    [LoggerMessage(1300, LogLevel.Information, "network reconciled: {Steps} change(s), {NetlinkWrites} netlink write(s), {FileWrites} sysfs write(s)")]
    public static partial void NetworkReconciled(ILogger log, int steps, long netlinkWrites, long fileWrites);

    [LoggerMessage(1301, LogLevel.Warning, "network brought back to the configuration (VFs lost, a DHCP lease changed): {Steps} change(s): {Changes}")]
    public static partial void NetworkRestored(ILogger log, int steps, string changes);

    [LoggerMessage(1303, LogLevel.Warning, "LLDP: not listening on the front ports")]
    public static partial void LldpUnavailable(ILogger log, Exception error);

    [LoggerMessage(1302, LogLevel.Error, "network could not be put back to the configuration")]
    public static partial void NetworkRestoreFailed(ILogger log, Exception error);

    [LoggerMessage(1400, LogLevel.Warning, "board")]
    public static partial void BoardLoopFailed(ILogger log, Exception problem);

    [LoggerMessage(1401, LogLevel.Information, "watchdog {Device} armed: timeout {Timeout} s, petted every {Period} s while the health checks pass")]
    public static partial void WatchdogArmed(ILogger log, string device, int timeout, double period);

    [LoggerMessage(1402, LogLevel.Error, "watchdog: health check failed ({Problem}); not petting: the board resets the box if this lasts")]
    public static partial void WatchdogWithheld(ILogger log, string problem);

    [LoggerMessage(1403, LogLevel.Error, "watchdog {Device} cannot be opened")]
    public static partial void WatchdogUnavailable(ILogger log, string device, Exception problem);

    [LoggerMessage(1404, LogLevel.Warning, "power: {Action} requested: {Reason}")]
    public static partial void PowerRequested(ILogger log, string action, string reason);

    [LoggerMessage(1500, LogLevel.Information, "vnf: {Instance}: bundle written for {Image}")]
    public static partial void VnfBundleWritten(ILogger log, string instance, string image);

    [LoggerMessage(1501, LogLevel.Information, "vnf: {Instance}: removed")]
    public static partial void VnfRemoved(ILogger log, string instance);

    [LoggerMessage(1502, LogLevel.Information, "vnf: {Text}")]
    public static partial void VnfEvent(ILogger log, string text);

    [LoggerMessage(1503, LogLevel.Information, "chains: {Chains} chain(s) steered with {Rules} rules")]
    public static partial void ChainsSteered(ILogger log, int chains, int rules);

    [LoggerMessage(1504, LogLevel.Error, "chains: steering failed")]
    public static partial void ChainSteeringFailed(ILogger log, Exception problem);

    [LoggerMessage(1505, LogLevel.Information, "vnf: package {Image} added ({Digest}, signed by {Signer})")]
    public static partial void VnfPackageAdded(ILogger log, string image, string digest, string signer);
}
