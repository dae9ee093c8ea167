using System.Text.Json.Nodes;

namespace Cpe.Api;

// The phonehome.* methods' parameters and results (docs/reference/local-api.md, "Zero-touch provisioning").

/// <summary>
/// A whole configuration from zero-touch provisioning (source "ztp") or a fleet push (source "fleet"), merged onto or
/// replacing the active one, committed in one step; with <see cref="ConfirmMinutes"/> as "commit confirmed".
/// </summary>
public sealed record ProvisionCommitParams(string Mode, JsonObject Document, string Source, int? ConfirmMinutes = null, string? Comment = null)
{
    /// <summary>With mode "restore": the revision (its id) whose configuration is committed again; the document is then ignored.</summary>
    public long? RestoreRevision { get; init; }
}

/// <summary>Where zero-touch provisioning is, as the agent last said (the board turns the state into an LED pattern).</summary>
/// <summary>Where zero-touch is; with "failed" (or a round that reached nothing), why: the status LED's blink code.</summary>
public sealed record ZtpStatusParams(string State, string Message, string? Failure = null)
{
    /// <summary>What each source and server gave in the round that just failed (null: not the end of a failed round).</summary>
    public ZtpAttempt[]? Attempts { get; init; }

    /// <summary>When the agent starts its next round by itself (phonehome.retry starts it at once).</summary>
    public DateTimeOffset? NextRound { get; init; }
}

/// <summary>
/// One try in a zero-touch round: which source (DHCP option 143 on a port, DNS, removable media), what was tried
/// there (a server at an address, a folder; empty when the source itself failed), why it gave nothing usable
/// (<see cref="Cause"/>: one of <see cref="ZtpCauses"/>), in words, and when.
/// </summary>
public sealed record ZtpAttempt(string Source, string Target, string Cause, string Detail, DateTimeOffset Time)
{
    /// <summary>What one report may carry (a few sources, each with a few servers and addresses).</summary>
    public const int MaxPerReport = 64;
}

/// <summary>Why a zero-touch try gave nothing usable, as the agent classes it (docs/reference/local-api.md, "phonehome.report").</summary>
public static class ZtpCauses
{
    public const string Source = "source", Dns = "dns", Connect = "connect", Tls = "tls", Timeout = "timeout",
        Http = "http", Refused = "refused", Onboarding = "onboarding";

    public static readonly string[] All = [Source, Dns, Connect, Tls, Timeout, Http, Refused, Onboarding];

    /// <summary>The cause as the CLI shows it.</summary>
    public static string Describe(string cause) => cause switch
    {
        Source => "the source failed",
        Dns => "the name did not resolve",
        Connect => "no TCP connection",
        Tls => "the TLS handshake failed",
        Timeout => "no answer in time",
        Http => "the server answered an error",
        Refused => "its data was refused",
        Onboarding => "onboarding failed",
        _ => cause,
    };
}

public sealed record ZtpStatus(string State, string Message, DateTimeOffset Since, string? Reporter, string? Failure = null)
{
    /// <summary>The tries of the last failed round (none once a round succeeded).</summary>
    public ZtpAttempt[] Attempts { get; init; } = [];

    public DateTimeOffset? NextRound { get; init; }

    /// <summary>Since when rounds have been failing with nothing usable found (null once zero-touch completed).</summary>
    public DateTimeOffset? FailingSince { get; init; }
}

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
