using System.Text.Json.Nodes;

namespace Cpe.Api;

// The phonehome.* methods' parameters and results (docs/reference/local-api.md, "Zero-touch provisioning").

/// <summary>
/// A whole configuration from zero-touch provisioning (source "ztp") or a fleet push (source "fleet"), merged onto or
/// replacing the active one, committed in one step; with <see cref="ConfirmMinutes"/> as "commit confirmed".
/// </summary>
public sealed record ProvisionCommitParams(string Mode, JsonObject Document, string Source, int? ConfirmMinutes = null, string? Comment = null);

/// <summary>Where zero-touch provisioning is, as the agent last said (the board turns the state into an LED pattern).</summary>
/// <summary>Where zero-touch is; with "failed" (or a round that reached nothing), why: the status LED's blink code.</summary>
public sealed record ZtpStatusParams(string State, string Message, string? Failure = null);

public sealed record ZtpStatus(string State, string Message, DateTimeOffset Since, string? Reporter, string? Failure = null);

/// <summary>A pre- or post-configuration script (its bytes base64 in JSON) and its time limit.</summary>
public sealed record ScriptParams(string Phase, byte[] Script, int TimeoutSeconds);

/// <summary>How the script ended: exit code (null when killed at the time limit), its last output, how long it ran.</summary>
public sealed record ScriptResult(int? ExitCode, bool TimedOut, string Output, double Seconds);

/// <summary>What the fleet check-in tells the vendor server about the box.</summary>
public sealed record InventoryInfo(string Model, string FirmwareVersion, DateTimeOffset BootTime, DateTimeOffset StartedAt,
    long ActiveRevision, string RevisionSource, DateTimeOffset? ConfirmBy, string[] Alarms)
{
    /// <summary>The local commit that took away statements zero-touch or the fleet set, and which; null when none did.</summary>
    public ConfigOverrideInfo? Override { get; init; }
}

/// <summary>A local commit (CLI or local API) that overrides what zero-touch or the fleet set: the "set" statements no longer in force.</summary>
public sealed record ConfigOverrideInfo(long Revision, string User, DateTimeOffset Time, string[] Statements);

/// <summary>
/// A zero-touch file a technician pushes over the console (conveyed-information, owner-certificate, ownership-voucher
/// or bootstrap-servers), for the agent's serial-console source.
/// </summary>
public sealed record LoadFileParams(string Name, byte[] Content);
