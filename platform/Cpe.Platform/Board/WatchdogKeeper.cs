using Cpe.Board.Profile;
using Cpe.Platform.Events;
using Microsoft.Extensions.Logging;

namespace Cpe.Platform.Board;

/// <summary>One thing that must work for cped to count as alive; throws (or returns false) when it does not.</summary>
public sealed record HealthCheck(string Name, Func<CancellationToken, Task<bool>> Probe);

/// <summary>
/// Keeps the hardware watchdog from resetting the box only while cped is healthy: every third of the timeout it runs
/// the health checks (the state store takes a write lock, the API answers a call, the config engine's gate can be
/// taken), each bounded by that period, and pets the watchdog only if all pass. A hung daemon therefore stops petting
/// and the board resets it; a daemon that merely runs a long commit does not (the gate wait is a full period).
/// A clean stop disarms the watchdog with the magic close.
/// </summary>
public sealed class WatchdogKeeper : IAsyncDisposable
{
    readonly Cpe.Interop.Watchdog _device;
    readonly IReadOnlyList<HealthCheck> _checks;
    readonly ILogger _log;
    readonly TimeProvider _clock;
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;
    string? _failing;

    public string Device { get; }
    public int TimeoutSeconds { get; }
    public long Keepalives { get; private set; }
    public string State => _failing is null ? $"{Device}: petted ({Keepalives} keepalives, timeout {TimeoutSeconds} s)" : $"{Device}: NOT petted: {_failing}";

    WatchdogKeeper(Cpe.Interop.Watchdog device, WatchdogProfile profile, IReadOnlyList<HealthCheck> checks, ILogger log, TimeProvider clock)
    {
        (_device, _checks, _log, _clock, Device) = (device, checks, log, clock, profile.Device);
        TimeoutSeconds = device.SetTimeout(profile.TimeoutSeconds) ?? profile.TimeoutSeconds;
        var period = TimeSpan.FromSeconds(Math.Max(1, TimeoutSeconds / 3.0));
        Log.WatchdogArmed(log, Device, TimeoutSeconds, period.TotalSeconds);
        _device.Keepalive();
        _loop = Task.Run(() => LoopAsync(period));
    }

    /// <summary>Opens and arms the watchdog; null (with a major alarm) when it cannot be opened: the box then runs unguarded.</summary>
    public static WatchdogKeeper? Arm(WatchdogProfile profile, IReadOnlyList<HealthCheck> checks, PlatformEvents events, ILogger log, TimeProvider clock)
    {
        try { return new WatchdogKeeper(Cpe.Interop.Watchdog.Open(profile.Device), profile, checks, log, clock); }
        catch (Cpe.Interop.LinuxException e)
        {
            Log.WatchdogUnavailable(log, profile.Device, e);
            events.RaiseAlarm("watchdog-unavailable", "major", $"the hardware watchdog {profile.Device} cannot be opened ({e.Message}): a hung platform would not be reset");
            return null;
        }
    }

    async Task LoopAsync(TimeSpan period)
    {
        using var timer = new PeriodicTimer(period, _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                string? problem = await FirstFailureAsync(period);
                if (problem is null)
                {
                    _device.Keepalive();
                    Keepalives++;
                }
                else if (problem != _failing) Log.WatchdogWithheld(_log, problem);
                _failing = problem;
            }
        }
        catch (OperationCanceledException) { }
    }

    async Task<string?> FirstFailureAsync(TimeSpan limit)
    {
        foreach (var check in _checks)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            bounded.CancelAfter(limit);
            try
            {
                var probe = check.Probe(bounded.Token);
                // A probe that ignores its token still cannot hold the loop past the limit.
                if (await Task.WhenAny(probe, Task.Delay(limit, _clock, _stop.Token)) != probe) return $"{check.Name}: no answer in {limit.TotalSeconds:0.#} s";
                if (!await probe) return $"{check.Name}: failed";
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested) { return $"{check.Name}: no answer in {limit.TotalSeconds:0.#} s"; }
            catch (Exception e) when (e is not OperationCanceledException) { return $"{check.Name}: {e.Message}"; }
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _device.MagicClose();
        _stop.Dispose();
    }
}
