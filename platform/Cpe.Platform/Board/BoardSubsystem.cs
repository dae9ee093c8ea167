using Cpe.Api;
using Cpe.Board.Buttons;
using Cpe.Board.Gpio;
using Cpe.Board.Identity;
using Cpe.Board.Leds;
using Cpe.Board.Profile;
using Cpe.Board.Sensors;
using Cpe.Platform.Events;
using Cpe.Platform.State;
using Microsoft.Extensions.Logging;

namespace Cpe.Platform.Board;

/// <summary>What cped is asked to do with the box's power: reboot, power off, or erase and reboot (zeroize).</summary>
public enum PowerAction { Reboot, PowerOff, Zeroize }

public sealed record PowerRequest(PowerAction Action, string Reason)
{
    /// <summary>As the CLI and the log say it: reboot, power-off, zeroize.</summary>
    public string Word => Action switch { PowerAction.PowerOff => "power-off", PowerAction.Zeroize => "zeroize", _ => "reboot" };
}

/// <summary>How often the board's loops run; tests shorten nothing but the sensor period.</summary>
public sealed record BoardTiming(TimeSpan Tick, TimeSpan SensorPeriod, TimeSpan ResetHold)
{
    public static readonly BoardTiming Default = new(TimeSpan.FromMilliseconds(25), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
}

/// <summary>
/// The board as cped runs it (docs/reference/board-profile.md): the status LED following the box's state, the reset
/// button, sensors raising and clearing alarms, and the hardware inventory. The watchdog is <see cref="WatchdogKeeper"/>.
/// One loop samples the button and drives the LED every tick; another reads the sensors.
/// </summary>
public sealed class BoardSubsystem : IAsyncDisposable
{
    readonly BoardProfile _profile;
    readonly PlatformEvents _events;
    readonly StateStore _store;
    readonly ILogger _log;
    readonly TimeProvider _clock;
    readonly BoardTiming _timing;
    readonly BoardGpio? _gpio;
    readonly ILed? _led;
    readonly IButton? _reset;
    readonly ResetButton _resetTiming;
    readonly Hwmon _hwmon;
    readonly HardwareInventory _inventory;
    readonly CancellationTokenSource _stop = new();
    readonly List<Task> _loops = [];
    IReadOnlyList<SensorReading> _readings = [];
    Func<ZtpStatus>? _ztp;
    Action<PowerRequest>? _power;
    volatile bool _started, _zeroizing;
    bool _configured, _platformDegraded;
    LedPattern _pattern = LedPattern.Booting;
    DateTimeOffset _patternSince, _slowInputsAt;

    public BoardSubsystem(BoardProfile profile, BoardIdentity identity, string firmwareVersion, PlatformEvents events, StateStore store, ILogger log,
        TimeProvider clock, BoardTiming? timing = null)
    {
        (_profile, _events, _store, _log, _clock) = (profile, events, store, log, clock);
        _timing = timing ?? BoardTiming.Default;
        _resetTiming = new ResetButton(_timing.ResetHold);
        _hwmon = new Hwmon(profile.SysfsRoot);
        _inventory = new HardwareInventory(profile, identity, firmwareVersion);
        if (profile.Leds.Count > 0 || profile.Buttons.Count > 0)
        {
            _gpio = new BoardGpio(profile);
            _led = _gpio.Leds.FirstOrDefault(l => l.Name == "status") ?? _gpio.Leds.FirstOrDefault();
            _reset = _gpio.Buttons.FirstOrDefault(b => b.Name == "reset");
        }
        _patternSince = clock.GetUtcNow();
        _events.Record("led", $"status LED: {_pattern.State}");
        Show(clock.GetUtcNow());   // booting, from the first moment cped runs
    }

    public LedPattern Pattern => _pattern;

    /// <summary>Whether reboot and power-off are the board supervisor's (exit codes) rather than reboot(2).</summary>
    public bool Simulated => _profile.Power == "simulated";

    public IReadOnlyList<SensorReading> Readings => _readings;

    public Hardware Hardware() => _inventory.Read();

    /// <summary>Starts the loops: <paramref name="ztp"/> is where zero-touch is, <paramref name="power"/> takes the button's requests.</summary>
    public void Start(Func<ZtpStatus> ztp, Action<PowerRequest> power)
    {
        (_ztp, _power) = (ztp, power);
        ReadSensors();
        _loops.Add(Task.Run(() => Every(_timing.Tick, Tick)));
        _loops.Add(Task.Run(() => Every(_timing.SensorPeriod, ReadSensors)));
    }

    /// <summary>The platform is up and reconciled: the LED leaves "booting".</summary>
    public void MarkStarted() => _started = true;

    /// <summary>Zeroizing from now on (the LED says so until the box reboots).</summary>
    public void MarkZeroizing() => _zeroizing = true;

    async Task Every(TimeSpan period, Action work)
    {
        using var timer = new PeriodicTimer(period, _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try { work(); }
                catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
                {
                    Log.BoardLoopFailed(_log, e);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    void Tick()
    {
        var now = _clock.GetUtcNow();
        if (_reset is not null)
        {
            switch (_resetTiming.Sample(_reset.IsPressed, now))
            {
                case ResetAction.Reboot:
                    _power?.Invoke(new PowerRequest(PowerAction.Reboot, "reset button pressed"));
                    break;
                case ResetAction.Zeroize:
                    _zeroizing = true;
                    _power?.Invoke(new PowerRequest(PowerAction.Zeroize, $"reset button held {_timing.ResetHold.TotalSeconds:0} s"));
                    break;
            }
        }
        if (now - _slowInputsAt >= TimeSpan.FromSeconds(1))
        {
            _slowInputsAt = now;
            _configured = _store.Active()?.Source is string source && source != ConfigSources.System;
            _platformDegraded = _store.ActiveAlarms().Any(a => a.Type == "state-db-corrupt");
        }
        Show(now);
    }

    /// <summary>Looks at the inputs now (zero-touch reported a new state): every state the box passes through is shown and logged, however short.</summary>
    public void Refresh() => Show(_clock.GetUtcNow());

    readonly Lock _showing = new();

    void Show(DateTimeOffset now)
    {
        lock (_showing) ShowLocked(now);
    }

    void ShowLocked(DateTimeOffset now)
    {
        var ztp = _ztp?.Invoke();
        var pattern = StatusLedState.Decide(new StatusLedInputs(_started, ztp?.State ?? "idle", ztp?.Failure, _configured,
            _readings.Any(r => r.Status == "critical"), _platformDegraded, _resetTiming.Held(now), _timing.ResetHold, _zeroizing));
        if (pattern.State != _pattern.State)
        {
            _patternSince = now;
            _events.Record("led", $"status LED: {pattern.State}");
        }
        _pattern = pattern;
        _led?.Show(pattern.ColourAt(now - _patternSince));
    }

    void ReadSensors()
    {
        var readings = _profile.Sensors.Select(_hwmon.Read).ToList();
        foreach (var r in readings)
        {
            string type = $"sensor-{r.Sensor.Name}";
            foreach (var status in new[] { "low", "high", "critical", "unreadable" }.Where(s => s != r.Status))
                _events.ClearAlarm($"{type}-{status}");
            if (r.Status == "ok") continue;
            string severity = r.Status switch { "critical" => "critical", "unreadable" => "minor", _ => "major" };
            string text = r.Value is double v
                ? $"{r.Sensor.Name} {r.Sensor.Kind} is {v:0.##} {r.Unit}, {Threshold(r)}"
                : $"{r.Sensor.Name} cannot be read: {r.Problem}";
            _events.RaiseAlarm($"{type}-{r.Status}", severity, text);
        }
        _readings = readings;
    }

    static string Threshold(SensorReading r) => r.Status switch
    {
        "critical" => $"at or above its critical threshold {r.Sensor.Critical:0.##} {r.Unit}",
        "high" => $"at or above its high threshold {r.Sensor.High:0.##} {r.Unit}",
        _ => $"at or below its low threshold {r.Sensor.Low:0.##} {r.Unit}",
    };

    public EnvironmentInfo Environment(string watchdog) => new(
        _readings.Select(r => new SensorInfo(r.Sensor.Name, r.Sensor.Kind, r.Value, r.Unit, r.Status, r.Sensor.Low, r.Sensor.High, r.Sensor.Critical, r.Problem)).ToList(),
        _pattern.State, watchdog);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _led?.Show(null);
        _gpio?.Dispose();
        _stop.Dispose();
    }
}
