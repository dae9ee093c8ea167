using Cpe.Api;
using Cpe.Phonehome.Platform;
using Cpe.Sztp;

namespace Cpe.Phonehome.Processing;

/// <summary>
/// The firmware slots as the agent uses them, through cped's installer (image.install): a zero-touch boot image or a
/// fleet's desired firmware is installed into the inactive slot, then the box reboots into it. cped streams, checks and
/// resumes; the agent only asks, follows image.status and remembers what it gave up on, so that a version that was
/// refused or fell back is not tried again and again.
/// </summary>
public sealed class FirmwareUpdater(IAgentPlatform platform, ProgressFile progress, TimeProvider clock, TimeSpan? pollInterval = null, TimeSpan? stallLimit = null)
{
    /// <summary>The os-name of every firmware this agent runs on (IMAGE_ID in the image's os-release).</summary>
    public const string OsName = "cpe-firmware";

    readonly TimeSpan _poll = pollInterval ?? TimeSpan.FromSeconds(2);
    readonly TimeSpan _stall = stallLimit ?? TimeSpan.FromMinutes(10);

    /// <summary>After a failure that may pass, the next try of the same version waits this long, doubled per failure up to <see cref="LongestRetry"/>.</summary>
    public static readonly TimeSpan FirstRetry = TimeSpan.FromMinutes(1), LongestRetry = TimeSpan.FromHours(4);

    /// <summary>The wait before the next try after <paramref name="failures"/> failures of the same thing in a row.</summary>
    public static TimeSpan RetryWait(int failures) => TimeSpan.FromTicks(Math.Min(LongestRetry.Ticks, FirstRetry.Ticks << Math.Min(failures - 1, 16)));
    (string Version, int Failures, DateTimeOffset NotBefore, string Reason)? _retry;

    /// <summary>
    /// When the last install of <paramref name="version"/> failed for a reason that may pass (a download that broke, a
    /// disk that was full, an install that stalled) and its wait is not over: when it may be tried again. A fleet
    /// that checks in every few seconds does not start the same failing install at every check-in. With it, why.
    /// </summary>
    public (DateTimeOffset At, string Reason)? RetryAfter(string version) =>
        _retry is { } r && r.Version == version && clock.GetUtcNow() < r.NotBefore ? (r.NotBefore, r.Reason) : null;

    public async Task<(string Name, string Version)> RunningAsync(CancellationToken ct) => Running(await platform.InventoryAsync(ct));

    /// <summary>The running firmware as an inventory cped already gave says it.</summary>
    public static (string Name, string Version) Running(InventoryInfo inventory) => (OsName, inventory.FirmwareVersion);

    /// <summary>The version given up on earlier, when it is <paramref name="version"/>: not to be installed again.</summary>
    public FirmwareFailure? GivenUp(string version) => progress.Load().FirmwareFailure is { } f && f.Version == version ? f : null;

    /// <summary>
    /// Installs from the first of <paramref name="uris"/> cped admits and waits until the slot is written and checked.
    /// Throws <see cref="FirmwareInstallException"/> with the reason; a bundle cped refused (signature, board,
    /// anti-rollback, not the file named by <paramref name="sha256"/>) is recorded as given up.
    /// </summary>
    public async Task<string> InstallAsync(string version, IReadOnlyList<string> uris, string sha256, Action<string> say, CancellationToken ct,
        Func<InstallInfo, CancellationToken, Task>? observe = null)
    {
        if (uris.Count == 0) throw new FirmwareInstallException("no download-uri is given", permanent: true);
        var failures = new List<string>();
        bool started = false, refused = false;
        foreach (var uri in uris)
        {
            try
            {
                say((await platform.InstallFirmwareAsync(uri, sha256, ct)).Message ?? $"installing from {uri}");
                started = true;
                break;
            }
            catch (RpcException e) when (e.Code == RpcErrorCodes.MethodNotFound)
            {
                throw new FirmwareInstallException("this box has no firmware slots to install into", permanent: true);
            }
            catch (RpcException e) when (e.Code == RpcErrorCodes.ImageUnavailable && e.Message.Contains("already running", StringComparison.Ordinal))
            {
                // An install this agent asked for before it restarted (or cped resumed after a reboot): follow it.
                say(e.Message + "; following it");
                started = true;
                break;
            }
            catch (RpcException e)
            {
                refused |= e.Code == RpcErrorCodes.BundleRefused;
                failures.Add(e.Message.Contains(uri, StringComparison.Ordinal) ? e.Message : $"{uri}: {e.Message}");   // cped's message names the source
            }
        }
        if (!started) throw Failed(version, string.Join("; ", failures), refused);
        return await FollowAsync(version, say, observe, ct);
    }

    async Task<string> FollowAsync(string version, Action<string> say, Func<InstallInfo, CancellationToken, Task>? observe, CancellationToken ct)
    {
        var lastChange = clock.GetTimestamp();
        (string?, int) last = (null, -1);
        while (true)
        {
            await Task.Delay(_poll, clock, ct);
            SoftwareStatus? status;
            try { status = await platform.SoftwareAsync(ct); }
            catch (PlatformUnavailableException) { status = null; }   // cped restarting: it resumes the install by itself
            if (status?.Install is { } install)
            {
                if (observe is not null) await observe(install, ct);
                if (install.State == "installed")
                {
                    _retry = null;
                    return $"firmware {install.Version} installed in slot {install.Slot}: {install.BytesDownloaded} bytes downloaded, {install.BytesReused} copied from the running slot";
                }
                if (install.State == "failed")
                    throw Failed(version, install.Error ?? "the install failed", install.Error?.StartsWith("refused", StringComparison.Ordinal) == true);
                if ((install.State, install.ChunksDone) != last)
                {
                    if (install.ChunksDone % 8 == 0 || install.State != last.Item1) say($"firmware {install.Version}: {install.State}, chunk {install.ChunksDone} of {install.Chunks}");
                    last = (install.State, install.ChunksDone);
                    lastChange = clock.GetTimestamp();
                }
            }
            if (clock.GetElapsedTime(lastChange) > _stall)
                throw Failed(version, $"the install made no progress for {_stall.TotalMinutes:0} min", permanent: false);
        }
    }

    FirmwareInstallException Failed(string version, string reason, bool permanent)
    {
        if (permanent) progress.Update(p => p with { FirmwareFailure = new FirmwareFailure(version, reason, clock.GetUtcNow()) });
        else
        {
            int failures = _retry is { } r && r.Version == version ? r.Failures + 1 : 1;
            var wait = RetryWait(failures);
            _retry = (version, failures, clock.GetUtcNow() + wait, reason);
        }
        return new FirmwareInstallException(reason, permanent);
    }

    /// <summary>Remembers the firmware the box reboots into, then asks cped to reboot.</summary>
    public async Task RebootIntoAsync(string version, CancellationToken ct)
    {
        progress.Update(p => p with { RebootingInto = $"{OsName} {version}" });
        await platform.RebootAsync($"into firmware {version}", ct);
    }

    /// <summary>
    /// After a reboot into new firmware: once the new slot passed its health check, the update is done; when the box
    /// runs something else, the new slot fell back. Why (cped's record of the fallback) is kept, so the version is not
    /// tried again and the vendor server hears it. While the new slot is still on trial nothing is settled: it may
    /// yet fail and fall back. Returns what to say, or null when there is nothing to settle (yet).
    /// </summary>
    public async Task<string?> SettleAfterRebootAsync(CancellationToken ct)
    {
        if (progress.Load().RebootingInto is not string into) return null;
        var (name, version) = await RunningAsync(ct);
        var software = await platform.SoftwareAsync(ct);
        string said;
        if (into == $"{name} {version}")
        {
            if (software is { Health: not "good" }) return null;
            said = $"now running {into} after the reboot, marked good";
        }
        else
        {
            string wanted = into.Split(' ', 2)[^1];
            var fallback = software?.LastFallback;
            string reason = fallback is not null && fallback.FromVersion == wanted
                ? $"fell back from slot {fallback.FromSlot} after {fallback.Attempts} attempt(s): {fallback.Reason}"
                : $"the box runs {name} {version} after the reboot, not {into}";
            progress.Update(p => p with { FirmwareFailure = new FirmwareFailure(wanted, reason, clock.GetUtcNow()) });
            said = $"firmware {wanted} did not stay: {reason}";
        }
        progress.Update(p => p with { RebootingInto = null });
        return said;
    }
}

/// <summary>A firmware install that did not happen; <c>Permanent</c> when trying the same bundle again cannot help.</summary>
public sealed class FirmwareInstallException(string message, bool permanent) : Exception(message)
{
    public bool Permanent { get; } = permanent;
}
