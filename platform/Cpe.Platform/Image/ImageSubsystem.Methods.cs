using System.Security.Cryptography.X509Certificates;
using Cpe.Api;
using Cpe.Image.Bundles;
using Cpe.Image.Install;
using Cpe.Image.Slots;
using Cpe.Platform.Api;
using Cpe.Platform.Board;

namespace Cpe.Platform.Image;

public sealed partial class ImageSubsystem
{
    public void AddMethods(MethodTable t)
    {
        var j = ApiJsonContext.Default;
        // The phone-home agent reads and installs too: zero-touch boot images and fleet firmware go through here.
        t.Add(ApiMethods.ImageStatus, Access.Provisioning, j.Empty, j.SoftwareStatus, (_, _, _) => Task.FromResult(Status()));
        t.Add(ApiMethods.ImageInstall, Access.Provision, j.InstallParams, j.OkResult, (s, p, _) => BeginInstallAsync(p.Location, p.Reboot, p.Sha256, s.User));
        t.Add(ApiMethods.ImageRollback, Access.Configure, j.SlotChoiceParams, j.OkResult, (s, p, _) => Task.FromResult(Choose("rollback", p.Reboot, s.User)));
        t.Add(ApiMethods.ImageBootOther, Access.Configure, j.SlotChoiceParams, j.OkResult, (s, _, _) => Task.FromResult(Choose("reboot slot other", true, s.User)));
    }

    public SoftwareStatus Status()
    {
        var entries = _entries.Read();
        var slots = new[] { "a", "b" }.Select(slot =>
        {
            var entry = entries.FirstOrDefault(e => e.Slot == slot);
            var record = _state.Slot(slot);
            bool writing = _installError is null && _installer?.Progress is { State: not ("idle" or "installed") } && slot == _assessment.Other;
            string state = writing ? "installing" : entry is null ? (record?.Failure is not null ? "bad" : slot == _assessment.Booted ? "good" : "empty")
                : entry.Entry.Good ? "good" : entry.Entry.Bad ? "bad" : "trying";
            string? version = slot == _assessment.Booted ? _runningVersion : entry?.FirmwareVersion ?? record?.Version;
            if (state == "empty") version = null;
            return new SlotInfo(slot, state, version, slot == _assessment.Booted, entry?.Entry.TriesLeft, entry?.Entry.TriesDone, record?.InstalledAt, record?.Failure);
        }).ToArray();
        var install = _installer?.Progress is { } p && p.State != "idle"
            ? new InstallInfo(_installError is null ? p.State : "failed", p.Version, p.Slot, p.ChunksDone, p.Chunks, p.BytesDownloaded, p.BytesReused, _installError, _source ?? "")
            { WrittenSeconds = p.Written is { } w ? Math.Round(w.TotalSeconds, 3) : null } : null;
        var f = _state.LastFallback;
        var fallback = f is null ? null : new FallbackInfo(f.FromSlot, f.FromVersion, f.ToSlot, f.ToVersion, f.Attempts, f.Reason, f.LogTail, f.At);
        return new SoftwareStatus(_assessment.Booted, _runningVersion, _state.Floor.ToString(), slots, install, fallback,
            _health ?? (_assessment.OnTrial ? "on trial" : "good"));
    }

    SlotInstaller NewInstaller() => new(new SlotPaths(_assessment.Booted, _running.Device, _assessment.Other, _target.Device, _target.Size), _entries, _state, _trust,
        _policyBase with { Floor = _state.Floor }, new MountedBootFiles(), _runningVersion, text => LogInstall(_log, text));

    /// <summary>
    /// Starts an install and answers once the bundle passed every check before the slot is touched (or with the reason
    /// it was refused); the writing goes on in the background, image.status shows how far it is.
    /// </summary>
    async Task<OkResult> BeginInstallAsync(string location, bool reboot, string? sha256, string user)
    {
        if (_assessment.OnTrial) throw new RpcException(RpcErrorCodes.ImageUnavailable, $"slot {_assessment.Booted} is still on trial (its health check has not passed): install after it is marked good");
        if (!await _installing.WaitAsync(0)) throw new RpcException(RpcErrorCodes.ImageUnavailable, $"an install is already running ({_source})");
        var admitted = new TaskCompletionSource<BundleManifest>(TaskCreationOptions.RunContinuationsAsynchronously);
        _installer = NewInstaller();
        _installError = null;
        _source = location;
        var source = IBundleSource.For(location, ClientCertificate(), TimeSpan.FromSeconds(30));
        var run = RunAsync(() => _installer.InstallAsync(source, location, reboot, CancellationToken.None, m => admitted.TrySetResult(m), sha256), source, reboot, user);
        var first = await Task.WhenAny(admitted.Task, run);
        if (first == run) await run;   // it ended before touching the slot: its refusal is the answer
        var m = await admitted.Task;
        return new OkResult(true, $"installing {m.Name} {m.Version} into slot {_assessment.Other} from {location}" + (reboot ? "; the box reboots into it when done" : ""));
    }

    async Task ResumeAsync(PendingInstall pending, CancellationToken ct)
    {
        await Task.Yield();
        if (!await _installing.WaitAsync(0, ct)) return;
        _installer = NewInstaller();
        _installError = null;
        _source = pending.Source;
        var source = IBundleSource.For(pending.Source, ClientCertificate(), TimeSpan.FromSeconds(30));
        LogInstall(_log, $"resuming the install into slot {pending.Slot} from {pending.Source}, started {pending.StartedAt:u}");
        try { await RunAsync(() => _installer.ResumeAsync(pending, source, ct), source, pending.RebootWhenDone, "resume"); }
        catch (Exception e) when (e is RpcException) { }
    }

    /// <summary>Runs an install to its end: refusals become the API's error (and an event); a finished install reboots when asked.</summary>
    async Task RunAsync(Func<Task<InstallReport>> install, IBundleSource source, bool reboot, string user)
    {
        try
        {
            var report = await install();
            string text = $"firmware {report.Version} installed in slot {report.Slot} by {user} from {_source} in {report.Elapsed.TotalSeconds:0.0} s: " +
                $"{report.BytesDownloaded} bytes downloaded, {report.BytesReused} bytes copied from slot {_assessment.Booted}, {report.ChunksResumed} chunks already in place";
            _events.Record("firmware-installed", text);
            if (reboot) _power(new PowerRequest(PowerAction.Reboot, $"into firmware {report.Version} (slot {report.Slot})"));
        }
        catch (Exception e) when (e is BundleRefusedException or IOException or HttpRequestException or UnauthorizedAccessException or InvalidOperationException or Cpe.Interop.LinuxException)
        {
            bool refused = e is BundleRefusedException;
            string error = refused ? $"refused: {e.Message}" : e.Message;
            _installError = error;
            LogInstallFailed(_log, _source ?? "", error);
            _events.Record("firmware-install-failed", $"firmware install from {_source} {error}");
            // A refused bundle is never retried: its install record goes, the slot stays without an entry.
            if (refused) _state.SetPending(null);
            throw new RpcException(refused ? RpcErrorCodes.BundleRefused : RpcErrorCodes.CommitFailed, $"the bundle from {_source} {(refused ? "is refused: " + e.Message : "could not be installed: " + e.Message)}");
        }
        finally
        {
            source.Dispose();
            _installing.Release();
        }
    }

    OkResult Choose(string what, bool reboot, string user)
    {
        string other = _assessment.Other;
        var entry = _entries.Of(other);
        if (entry is null || !entry.Entry.Good)
            throw new RpcException(RpcErrorCodes.ImageUnavailable, $"slot {other} holds no good firmware ({(entry is null ? "empty" : entry.Entry.Bad ? "bad" : "not yet marked good")}): nothing to {what} to");
        _entries.Prefer(other);
        _events.Record("firmware-slot-chosen", $"{what} by {user}: slot {other} ({entry.FirmwareVersion}) boots next");
        if (reboot) _power(new PowerRequest(PowerAction.Reboot, $"{what} to slot {other}"));
        return new OkResult(true, $"slot {other} ({entry.FirmwareVersion}) boots next" + (reboot ? "; rebooting" : "; it runs after the next reboot"));
    }

    X509Certificate2? ClientCertificate() => Provisioning.DeviceIdentity.ClientCertificate(_options.FactoryDirectory);
}
