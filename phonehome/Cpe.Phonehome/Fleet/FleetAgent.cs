using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cpe.Api;
using Cpe.Phonehome.Logging;
using Cpe.Phonehome.Platform;
using Cpe.Phonehome.Processing;
using Cpe.Sztp;
using Cpe.Sztp.Tls;

namespace Cpe.Phonehome.Fleet;

/// <summary>
/// After bootstrap-complete: the periodic fleet check-in (docs/reference/fleet-checkin.md). It reports inventory,
/// versions, alarms and the last result; the answer must be signed by the owner certificate the voucher pinned and
/// carry this check-in's nonce. A configuration pushed in it is committed with "commit confirmed" and confirmed by the
/// next successful check-in, so a push that cuts the box off the server reverts by itself.
/// </summary>
public sealed partial class FleetAgent(FactoryIdentity identity, IAgentPlatform platform, FirmwareUpdater firmware, ProgressFile progress,
    Random random, TimeProvider clock, ProgressReporter say, TimeSpan defaultInterval, TimeSpan requestTimeout)
{
    string? _lastResult, _lastStatus, _sentHardware, _lastVnfSaid;
    // One TLS client for the agent's life: each check-in is a new connection that resumes the last one's session.
    readonly ResumingTlsClient _tls = new(identity.Idevid);
    readonly VnfUpdater _vnfs = new(platform, progress, clock);

    public async Task RunAsync(CancellationToken ct)
    {
        var interval = defaultInterval;
        while (true)
        {
            interval = await CheckInOnceAsync(ct) ?? interval;
            // ±25 %: a fleet that rebooted together does not check in together.
            await Task.Delay(interval * (0.75 + 0.5 * random.NextDouble()), clock, ct);
        }
    }

    /// <summary>One check-in; returns the interval the server asked for, or null when the check-in failed.</summary>
    public async Task<TimeSpan?> CheckInOnceAsync(CancellationToken ct)
    {
        var state = progress.Load();
        if (state.Server is null)
        {
            AgentLog.NoServerToCheckIn(say.Log);
            return null;
        }
        try
        {
            if (await firmware.SettleAfterRebootAsync(ct) is string settled)
            {
                AgentLog.Firmware(say.Log, settled);
                state = progress.Load();
            }
            var (answer, active) = await ExchangeAsync(state, ct);
            await ApplyAsync(answer, state, active, ct);
            return TimeSpan.FromSeconds(answer.CheckInSeconds);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or SztpVerificationException or PlatformUnavailableException
            or RpcException or FleetException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            // A timeout reads as what happened, not as the platform's wording of it.
            _lastResult = e is TaskCanceledException or TimeoutException
                ? $"check-in failed: {state.Server} did not answer within {requestTimeout.TotalSeconds:0.#} s"
                : $"check-in failed: {e.Message}";
            AgentLog.FleetResult(say.Log, _lastResult);
            return null;
        }
    }

    /// <summary>The check-in: returns the verified answer and the configuration revision active when it was sent.</summary>
    async Task<(CheckInAnswer, long ActiveRevision)> ExchangeAsync(AgentProgress state, CancellationToken ct)
    {
        var inventory = await platform.InventoryAsync(ct);
        var (osName, osVersion) = FirmwareUpdater.Running(inventory);   // the inventory just read: no second call
        string nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        var request = new CheckInRequest(identity.SerialNumber, inventory.Model, osName, osVersion,
            Math.Round((clock.GetUtcNow() - inventory.BootTime).TotalSeconds), inventory.ActiveRevision, inventory.RevisionSource,
            state.FleetRunning, state.FleetUnconfirmed, inventory.Alarms, _lastResult, nonce)
        {
            LastRefused = state.FleetRefused,
            FirmwareFailure = state.FirmwareFailure,
            LocalOverride = inventory.Override is { } o
                ? new ConfigOverride(o.Revision, o.User, o.Time, o.Statements.Length, [.. o.Statements.Take(ConfigOverride.MaxStatements)]) : null,
            Software = Report(await platform.SoftwareAsync(ct)),
            Vnfs = await _vnfs.ReportAsync(ct),
            VnfFailures = state.VnfFailures,
        };
        // The hardware inventory rides along only when it changed since the server last took it (a NIC replaced, a disk added).
        var hardware = await platform.HardwareAsync(ct);
        string? hardwareJson = hardware?.ToJsonString();
        if (hardwareJson != _sentHardware) request = request with { Inventory = hardware };
        var response = await _tls.PostAsync(new Uri(state.Server!), FleetCheckIn.Path, FleetCheckIn.MediaType, FleetCheckIn.ToJson(request), requestTimeout, ct);
        var body = response.Body;
        if (!response.IsSuccess)
            throw new FleetException($"{state.Server} answered {response.Status}: {System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300)))}");
        if (state.OwnerCertificate is null) throw new FleetException("no owner certificate was pinned at bootstrap; check-in answers cannot be verified");
        var owner = Cms.Certificates(state.OwnerCertificate, "owner certificate")[0];
        var verified = FleetCheckIn.Verify(body, owner, identity.SerialNumber, nonce);
        _sentHardware = hardwareJson;   // the server answered this check-in: it has the inventory
        return (verified, inventory.ActiveRevision);
    }

    static SoftwareReport? Report(SoftwareStatus? s) => s is null ? null
        : new SoftwareReport(s.BootedSlot, s.Health ?? "good", [.. s.Slots.Select(x => new SlotReport(x.Slot, x.State, x.Version))],
            s.LastFallback is { } f ? new FallbackReport(f.FromVersion, f.ToVersion, f.Reason, f.At) : null);

    async Task ApplyAsync(CheckInAnswer answer, AgentProgress state, long activeRevision, CancellationToken ct)
    {
        _lastResult = "check-in ok";
        if (state.FleetUnconfirmed)
        {
            // The box reached the server with the pushed configuration: it is good, unless cped already rolled it back.
            bool confirmed = await platform.ConfirmAsync(ct);
            long revision = state.FleetRevision;
            if (confirmed)
            {
                _lastResult = $"fleet revision {revision} confirmed";
                state = progress.Update(p => p with { FleetUnconfirmed = false, FleetApplied = revision, FleetRefused = null });
            }
            else
            {
                _lastResult = $"fleet revision {revision} was rolled back before it could be confirmed (it cut the box off?)";
                var refusal = new FleetRefusal(revision, "rolled back: not confirmed in time (did it cut the box off the server?)", clock.GetUtcNow());
                state = progress.Update(p => p with { FleetUnconfirmed = false, FleetApplied = p.FleetApplied ?? 0, FleetRefused = refusal });
            }
            AgentLog.FleetResult(say.Log, _lastResult);
        }
        if (await _vnfs.ConfirmAsync(ct) is string settled) AgentLog.FleetResult(say.Log, _lastResult = settled);
        int confirmMinutes = Math.Max(1, (int)Math.Ceiling(answer.CheckInSeconds * 2.5 / 60));
        // The packages first: the configuration may configure a VNF that runs one of them.
        if (await _vnfs.AddAsync(answer.Vnfs, ct) is string added)
        {
            // A version given up on stays in every check-in's result, but is printed on the console once.
            if (added != _lastVnfSaid) AgentLog.FleetResult(say.Log, added);
            _lastResult = _lastVnfSaid = added;
        }
        if (answer.Configuration is DesiredConfiguration wanted && wanted.Revision > state.FleetRevision)
        {
            try
            {
                long running = state.FleetRunning;
                long before = wanted.Handling == "restore" ? state.ConfigBefore?.GetValueOrDefault(wanted.RestoreBefore!.Value) ?? 0 : 0;
                if (wanted.Handling == "restore" && before == 0)
                {
                    // Never applied here (refused, or pushed before this box joined): what it runs is what the restore wants.
                    progress.Update(p => p with { FleetRevision = wanted.Revision, FleetUnconfirmed = false, FleetApplied = wanted.Revision });
                    _lastResult = $"fleet revision {wanted.Revision} restores the configuration before fleet revision {wanted.RestoreBefore}, which this box never applied: nothing to do";
                }
                else
                {
                    var request = wanted.Handling == "restore"
                        ? new ProvisionCommitParams("restore", [], "fleet", confirmMinutes, $"fleet revision {wanted.Revision}: back to revision {before} (before fleet revision {wanted.RestoreBefore})")
                        { RestoreRevision = before }
                        : new ProvisionCommitParams(wanted.Handling, wanted.Document, "fleet", confirmMinutes, $"fleet revision {wanted.Revision}");
                    var commit = await platform.CommitAsync(request, ct);
                    progress.Update(p => p.WithBefore(wanted.Revision, activeRevision) with { FleetRevision = wanted.Revision, FleetUnconfirmed = true, FleetApplied = running });
                    _lastResult = $"fleet revision {wanted.Revision} committed as revision {commit.Revision}, confirm within {confirmMinutes} min";
                }
            }
            catch (RpcException e) when (e.Code is RpcErrorCodes.ConfigInvalid or RpcErrorCodes.CommitFailed)
            {
                // Refused by the box itself: tried once, reported until a newer revision comes, never retried.
                string reason = e.Details?.Errors is { Length: > 0 } errors ? $"{e.Message}: {string.Join("; ", errors.Select(x => $"{x.Path}: {x.Message}"))}" : e.Message;
                var refusal = new FleetRefusal(wanted.Revision, "commit refused: " + reason, clock.GetUtcNow());
                long running = state.FleetRunning;
                progress.Update(p => p with { FleetRevision = wanted.Revision, FleetUnconfirmed = false, FleetApplied = running, FleetRefused = refusal });
                _lastResult = $"fleet revision {wanted.Revision} refused: {reason}";
            }
            AgentLog.FleetResult(say.Log, _lastResult);
        }
        // After the configuration (it may have configured the VNFs), before the firmware (which reboots the box).
        if (await _vnfs.SwitchAsync(answer.Vnfs, confirmMinutes, ct) is string switched) AgentLog.FleetResult(say.Log, _lastResult = switched);
        string status = $"checked in with {state.Server}: {_lastResult}";
        if (status != _lastStatus) await say.StatusAsync("in-service", status, ct);
        _lastStatus = status;
        if (answer.Firmware is DesiredFirmware f) await UpdateFirmwareAsync(f, ct);
    }

    /// <summary>
    /// The fleet's desired firmware, when the box runs another: installed by cped, then the box reboots into it (the new
    /// slot's health check, which includes reaching this server, marks it good). A version given up on is not tried
    /// again; a failed download is, at the first check-in after its wait (1 min, doubled per failure, at most 4 h).
    /// </summary>
    async Task UpdateFirmwareAsync(DesiredFirmware f, CancellationToken ct)
    {
        var (name, version) = await firmware.RunningAsync(ct);
        if (f.Name == name && f.Version == version) return;
        if (f.Name != FirmwareUpdater.OsName)
        {
            _lastResult = $"the fleet wants {f.Name} {f.Version}; this box runs only {FirmwareUpdater.OsName} firmware";
            return;
        }
        if (firmware.GivenUp(f.Version) is { } failure)
        {
            _lastResult = $"the fleet wants firmware {f.Version}, given up on: {failure.Reason}";
            return;
        }
        if (firmware.RetryAfter(f.Version) is { } retry)
        {
            _lastResult = $"fleet firmware {f.Version} not installed: {retry.Reason}; tried again after {retry.At:u}";
            return;
        }
        AgentLog.FleetFirmwareWanted(say.Log, f.Version, version);
        await say.StatusAsync("installing", $"fleet firmware {f.Version}", ct);
        try
        {
            AgentLog.Firmware(say.Log, await firmware.InstallAsync(f.Version, f.DownloadUris, f.Sha256, t => AgentLog.Firmware(say.Log, t), ct, (install, t) => ReportInstallAsync(f.Version, install, t)));
            await say.StatusAsync("rebooting", $"into fleet firmware {f.Version}", ct);
            await firmware.RebootIntoAsync(f.Version, ct);
        }
        catch (FirmwareInstallException e)
        {
            _lastResult = $"fleet firmware {f.Version} not installed: {e.Message}";
            AgentLog.FleetResult(say.Log, _lastResult);
        }
    }
}

/// <summary>Install reports while a firmware install runs: one per state change, else at most one per <see cref="InstallReportEvery"/>.</summary>
public sealed partial class FleetAgent
{
    public static readonly TimeSpan InstallReportEvery = TimeSpan.FromSeconds(5);
    (string State, long At) _lastReport = ("", 0);

    async Task ReportInstallAsync(string version, InstallInfo install, CancellationToken ct)
    {
        if (install.State == _lastReport.State && clock.GetElapsedTime(_lastReport.At) < InstallReportEvery) return;
        _lastReport = (install.State, clock.GetTimestamp());
        var server = progress.Load().Server;
        if (server is null) return;
        try
        {
            await _tls.PostAsync(new Uri(server), FleetCheckIn.InstallPath, FleetCheckIn.MediaType, FleetCheckIn.ToJson(new InstallReport(identity.SerialNumber, version,
                install.State, install.BytesDownloaded, install.BytesReused, install.ChunksDone, install.Chunks)), requestTimeout, ct);
        }
        // Only information for the operator: the install goes on whether the server heard it or not.
        catch (Exception e) when (e is IOException or TimeoutException) { }
    }
}

public sealed class FleetException(string message) : Exception(message);
