using Cpe.Api;
using Cpe.Platform.Api;
using Cpe.Platform.Configuration;
using Cpe.Platform.Events;
using Cpe.Platform.State;

namespace Cpe.Platform.Provisioning;

/// <summary>
/// The phonehome.* methods: what cpe-phonehome needs from the platform and nothing more (docs/reference/local-api.md).
/// It commits what the vendor server sent (source ztp or fleet), confirms fleet pushes, runs the RFC 8572 scripts
/// confined, says where provisioning is (recorded as "ztp" events the board's LEDs follow), and reads the inventory
/// its check-in reports.
/// </summary>
public sealed class ProvisioningMethods(ConfigEngine engine, StateStore store, PlatformEvents events, ScriptSandbox scripts,
    SystemInfo system, TimeProvider clock, string model, DateTimeOffset startedAt, string consoleDrop)
{
    /// <summary>What a technician may push for the agent's serial-console source, and how big it may be.</summary>
    public static readonly string[] ConsoleFiles = ["conveyed-information", "owner-certificate", "ownership-voucher", "bootstrap-servers"];
    public const int MaxConsoleFile = 256 * 1024;

    static readonly string[] States = ["discovering", "connecting", "downloading", "installing", "rebooting", "configuring", "complete", "failed", "in-service"];
    /// <summary>Why zero-touch failed, as the agent classes it (docs/reference/local-api.md, "phonehome.report").</summary>
    public static readonly string[] Failures = [.. Cpe.Board.Leds.LedPattern.ZeroTouchFailures];
    ZtpStatus _status = new("idle", "zero-touch provisioning has not reported", startedAt, null);

    /// <summary>Raised once rounds have found nothing usable for <see cref="FailingFor"/>; cleared when zero-touch completes.</summary>
    public const string FailingAlarm = "zero-touch-failing";
    public static readonly TimeSpan FailingFor = TimeSpan.FromMinutes(5);

    /// <summary>The agent's last report (the status LED follows it).</summary>
    public ZtpStatus Status => _status;

    /// <summary>Raised after each report, so the status LED shows every state, however short.</summary>
    public event Action? StatusChanged;

    public void AddMethods(MethodTable t)
    {
        var j = ApiJsonContext.Default;
        t.Add(ApiMethods.PhonehomeCommit, Access.Provision, j.ProvisionCommitParams, j.CommitResult, async (s, p, ct) =>
        {
            if (p.Source is not (ConfigSources.Ztp or ConfigSources.Fleet))
                throw new RpcException(RpcErrorCodes.InvalidParams, $"source '{p.Source}' must be ztp or fleet");
            // "restore" (a fleet deployment's rollback): a configuration this box ran before, committed again whole.
            (string mode, System.Text.Json.Nodes.JsonObject document) = p.Mode == "restore"
                ? ("replace", engine.RevisionById(p.RestoreRevision ?? throw new RpcException(RpcErrorCodes.InvalidParams, "mode restore needs restoreRevision")))
                : (p.Mode, p.Document);
            var outcome = await engine.ApplyDocumentAsync(new Editor(s.Id, s.User, p.Source), mode, document, p.ConfirmMinutes, p.Comment, ct);
            return new CommitResult(outcome.Revision, outcome.Message, outcome.ConfirmBy);
        });
        t.Add(ApiMethods.PhonehomeConfirm, Access.Provision, j.Empty, j.OkResult, async (s, _, ct) =>
        {
            bool confirmed = await engine.ConfirmAsync(new Editor(s.Id, s.User, ConfigSources.Fleet), ct);
            return new OkResult(confirmed, confirmed ? "commit confirmed; rollback cancelled" : "no commit was waiting for confirmation");
        });
        t.Add(ApiMethods.PhonehomeReport, Access.Provision, j.ZtpStatusParams, j.OkResult, (s, p, _) =>
        {
            if (!States.Contains(p.State))
                throw new RpcException(RpcErrorCodes.InvalidParams, $"state '{p.State}' must be one of {string.Join(", ", States)}");
            if (p.Failure is not null && !Failures.Contains(p.Failure))
                throw new RpcException(RpcErrorCodes.InvalidParams, $"failure '{p.Failure}' must be one of {string.Join(", ", Failures)}");
            if (p.Attempts is { } attempts && (attempts.Length > ZtpAttempt.MaxPerReport || attempts.Any(a => !ZtpCauses.All.Contains(a.Cause))))
                throw new RpcException(RpcErrorCodes.InvalidParams, $"at most {ZtpAttempt.MaxPerReport} attempts, each with a cause among {string.Join(", ", ZtpCauses.All)}");
            var now = clock.GetUtcNow();
            _status = ZeroTouchStatus.Next(_status, p, s.User, now);
            events.Record("ztp", $"{p.State}: {p.Message}" + (p.Failure is null ? "" : $" ({p.Failure})"));
            if (_status.FailingSince is null) events.ClearAlarm(FailingAlarm);
            else if (ZeroTouchStatus.Failing(_status, now, FailingFor) is string why) events.RaiseAlarm(FailingAlarm, "major", why);
            StatusChanged?.Invoke();
            return Task.FromResult(new OkResult(true));
        });
        t.Add(ApiMethods.PhonehomeRetry, Access.Configure, j.Empty, j.OkResult, (s, _, _) =>
        {
            if (ZeroTouchStatus.Done(_status.State))
                return Task.FromResult(new OkResult(false, "zero-touch is complete: there is nothing to retry ('request system zeroize' starts it over)"));
            events.Record(ApiMethods.ZtpRetryEvent, $"retry requested by {s.User}");
            return Task.FromResult(new OkResult(true, "zero-touch starts its next round now"));
        });
        t.Add(ApiMethods.PhonehomeStatus, Access.Provisioning, j.Empty, j.ZtpStatus, (_, _, _) => Task.FromResult(_status));
        t.Add(ApiMethods.PhonehomeRunScript, Access.Provision, j.ScriptParams, j.ScriptResult, async (_, p, ct) =>
        {
            if (p.Phase is not ("pre" or "post")) throw new RpcException(RpcErrorCodes.InvalidParams, $"phase '{p.Phase}' must be pre or post");
            if (p.TimeoutSeconds < 1 || p.TimeoutSeconds > ScriptLimits.MaxTimeout.TotalSeconds)
                throw new RpcException(RpcErrorCodes.InvalidParams, $"timeoutSeconds must be from 1 to {ScriptLimits.MaxTimeout.TotalSeconds:0}");
            events.Record("ztp-script", $"{p.Phase}-configuration script started ({p.Script.Length} bytes, limit {p.TimeoutSeconds} s)");
            var outcome = await scripts.RunAsync(p.Script, new ScriptLimits(TimeSpan.FromSeconds(p.TimeoutSeconds)), ct);
            events.Record("ztp-script", $"{p.Phase}-configuration script " + (outcome.TimedOut ? $"killed at its time limit of {p.TimeoutSeconds} s" : $"exited with {outcome.ExitCode}"));
            return new ScriptResult(outcome.ExitCode, outcome.TimedOut, outcome.Output, Math.Round(outcome.Duration.TotalSeconds, 3));
        });
        t.Add(ApiMethods.PhonehomeLoadFile, Access.Configure, j.LoadFileParams, j.OkResult, (s, p, _) =>
        {
            if (!ConsoleFiles.Contains(p.Name)) throw new RpcException(RpcErrorCodes.InvalidParams, $"'{p.Name}' must be one of {string.Join(", ", ConsoleFiles)}");
            if (p.Content.Length is 0 or > MaxConsoleFile) throw new RpcException(RpcErrorCodes.InvalidParams, $"{p.Name} must be 1 byte to {MaxConsoleFile / 1024} KiB");
            // Readable by the agent's user, written whole: the agent never sees half a file.
            string folder = Path.Combine(consoleDrop, "sztp"), path = Path.Combine(folder, p.Name);
            Directory.CreateDirectory(folder);
            File.SetUnixFileMode(consoleDrop, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
            File.WriteAllBytes(path + ".tmp", p.Content);
            File.SetUnixFileMode(path + ".tmp", (UnixFileMode)0b110_100_100);
            File.Move(path + ".tmp", path, overwrite: true);
            events.Record("ztp-console", $"{p.Name} loaded over the console by {s.User} ({p.Content.Length} bytes)");
            return Task.FromResult(new OkResult(true, $"{p.Name} loaded ({p.Content.Length} bytes); zero-touch reads it at its next round"));
        });
        t.Add(ApiMethods.PhonehomeInventory, Access.Provision, j.Empty, j.InventoryInfo, (_, _, _) =>
        {
            var active = store.Active();
            return Task.FromResult(new InventoryInfo(model, SystemMethods.ProductVersion, system.BootTime(), startedAt,
                active?.Id ?? 0, active?.Source ?? ConfigSources.System, active?.ConfirmBy,
                store.ActiveAlarms().Select(a => $"{a.Severity} {a.Type}: {a.Text}").ToArray())
            {
                Override = store.Override() is { } o ? new ConfigOverrideInfo(o.Revision, o.Author, o.Time, o.Statements) : null,
            });
        });
    }
}
