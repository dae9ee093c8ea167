using System.Security.Cryptography.X509Certificates;
using Cpe.Api;
using Cpe.Image.Bundles;
using Cpe.Image.Install;
using Cpe.Image.Slots;
using Cpe.Platform.Api;
using Cpe.Platform.Board;
using Cpe.Platform.Events;
using Microsoft.Extensions.Logging;

namespace Cpe.Platform.Image;

/// <summary>What the boot health check asks of the rest of cped: each answers null when fine, or what is wrong.</summary>
public sealed record HealthChecks(Func<string?> Wan, Func<string?> Server, Func<string?> Configuration);

/// <summary>
/// The A/B slots on the box (docs/reference/firmware-slots.md): image.* API methods (show and request system
/// software), the installer, and the boot assessment: a slot on trial passes its health check (cped up, store
/// migrated, WAN up, the vendor server reached when the box has an identity, the configuration applied) and marks
/// itself good, or records why it failed and reboots, and the loader falls back once its tries are used up. A
/// fallback is never silent: the slot that runs again records it (event, alarm, show system software, check-in).
/// </summary>
public sealed partial class ImageSubsystem
{
    readonly DaemonOptions _options;
    readonly BootEntries _entries;
    readonly ImageState _state;
    readonly BootAssessment _assessment;
    readonly InstallPolicy _policyBase;
    readonly FirmwareTrust _trust;
    readonly (string Device, long Size) _running, _target;
    readonly PlatformEvents _events;
    readonly ILogger _log;
    readonly Action<PowerRequest> _power;
    readonly TimeProvider _clock;
    readonly string _runningVersion;
    readonly SemaphoreSlim _installing = new(1, 1);
    SlotInstaller? _installer;
    string? _source;
    string? _health;
    string? _installError;

    ImageSubsystem(DaemonOptions options, string booted, (string, long) running, (string, long) target, string model, string runningVersion,
        PlatformEvents events, ILogger log, Action<PowerRequest> power, TimeProvider clock)
    {
        _options = options;
        _entries = new BootEntries(options.Esp!);
        _state = new ImageState(options.ImageState);
        _runningVersion = runningVersion;
        _assessment = new BootAssessment(_entries, _state, booted, runningVersion, clock);
        _policyBase = new InstallPolicy(model, FirmwareVersion.Parse("0"));
        _trust = FirmwareTrust.FromPemFiles(options.FirmwareTrust);
        _running = running;
        _target = target;
        _events = events;
        _log = log;
        _power = power;
        _clock = clock;
    }

    /// <summary>The subsystem on an A/B box (an ESP given, a slot on the kernel command line, both slot partitions found); otherwise null.</summary>
    public static ImageSubsystem? Open(DaemonOptions options, string model, string runningVersion, PlatformEvents events, ILogger log, Action<PowerRequest> power, TimeProvider clock)
    {
        if (options.Esp is null) return null;
        if (Partitions.BootedSlot() is not { } booted) { LogNotAb(log, "no cpe.slot= on the kernel command line"); return null; }
        var running = Partitions.ByName($"cpe-root-{booted}");
        var target = Partitions.ByName($"cpe-root-{Partitions.Other(booted)}");
        if (running is null || target is null) { LogNotAb(log, "the slot partitions cpe-root-a and cpe-root-b are not both there"); return null; }
        return new ImageSubsystem(options, booted, running.Value, target.Value, model, runningVersion, events, log, power, clock);
    }

    /// <summary>At start: record a fallback, resume an interrupted install, and on trial run the health check.</summary>
    public void Start(HealthChecks checks, CancellationToken stopping)
    {
        if (Partitions.BootedVerity() is { } verity && _entries.Repair(_assessment.Booted, _runningVersion, verity))
        {
            string text = $"the boot entry of the running slot {_assessment.Booted} was damaged: rewritten for {_runningVersion}";
            LogEntryRepaired(_log, text);
            _events.Record("firmware-entry-repaired", text);
        }
        if (_assessment.RecordFallback() is { } f)
        {
            string text = $"firmware fallback: slot {f.FromSlot} ({f.FromVersion}) failed {f.Attempts} tries; running slot {f.ToSlot} ({f.ToVersion}) again. Reason: {f.Reason}";
            LogFallback(_log, text);
            _events.Record("firmware-fallback", text);
            _events.RaiseAlarm("firmware-fallback", "major", text);
            WriteConsole(text);
        }
        if (_state.Pending is { } pending)
        {
            if (pending.Slot != _assessment.Other) _state.SetPending(null);   // a stale record from the other slot's view
            else _ = ResumeAsync(pending, stopping);
        }
        if (_assessment.OnTrial) _ = AssessAsync(checks, stopping);
    }

    async Task AssessAsync(HealthChecks checks, CancellationToken ct)
    {
        var deadline = _clock.GetUtcNow() + _options.HealthTimeout;
        (string Check, string Detail)? failing = null;
        while (_clock.GetUtcNow() < deadline && !ct.IsCancellationRequested)
        {
            failing = Failing(checks);
            // "good" is said only once the slot is marked good (below): whoever reads it may act on it.
            if (failing is null) break;
            _health = $"on trial: waiting for {failing.Value.Check} ({failing.Value.Detail})";
            try { await Task.Delay(TimeSpan.FromSeconds(2), _clock, ct); } catch (OperationCanceledException) { return; }
        }
        if (ct.IsCancellationRequested) return;
        if (failing is null)
        {
            var floor = _assessment.MarkGood();
            StopBootGuard();
            string text = $"firmware {_runningVersion} in slot {_assessment.Booted} passed its health check: marked good, anti-rollback floor {floor}";
            LogGood(_log, text);
            _events.Record("firmware-good", text);
            _events.ClearAlarm("firmware-fallback");
            _health = "good";
            WriteConsole(text);   // the technician at the console sees the trial end either way
            return;
        }
        var (check, detail) = failing.Value;
        string failed = $"firmware {_runningVersion} in slot {_assessment.Booted} failed its health check '{check}' within {_options.HealthTimeout.TotalSeconds:0} s: {detail}; rebooting";
        LogFailed(_log, failed);
        _assessment.RecordFailure(check, detail, LogTail());
        _events.Record("firmware-health-failed", failed);
        WriteConsole(failed);
        _power(new PowerRequest(PowerAction.Reboot, $"slot {_assessment.Booted} failed its health check"));
    }

    static (string, string)? Failing(HealthChecks checks)
    {
        foreach (var (name, check) in new[] { ("wan", checks.Wan), ("server", checks.Server), ("configuration", checks.Configuration) })
            if (check() is { } problem) return (name, problem);
        return null;
    }

    /// <summary>The platform's last log lines, kept with a failed health check: its log file, or on a box without one, cped's standard error.</summary>
    string[] LogTail()
    {
        string log = _options.LogFile ?? Path.Combine(Path.GetDirectoryName(_options.ImageState) ?? "/data", "log", "cped.log");
        try { return [.. Logging.LogTail.Last(20, Logging.RotatingLogFile.Previous(log), log)]; }
        catch (IOException) { return []; }
    }

    /// <summary>rcS starts a guard on a slot on trial that reboots it if nothing marks it good in time (cped never started, say).</summary>
    static void StopBootGuard()
    {
        const string PidFile = "/run/cpe/boot-guard.pid";
        try
        {
            if (File.Exists(PidFile) && int.TryParse(File.ReadAllText(PidFile).Trim(), out int pid))
                System.Diagnostics.Process.GetProcessById(pid).Kill();
            File.Delete(PidFile);
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { }
    }

    static void WriteConsole(string text)
    {
        try { File.AppendAllText("/dev/console", $"\ncpe: {text}\n"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    [LoggerMessage(1600, LogLevel.Information, "the image subsystem is off: {Why}")]
    static partial void LogNotAb(ILogger log, string why);

    [LoggerMessage(1601, LogLevel.Warning, "{Text}")]
    static partial void LogFallback(ILogger log, string text);

    [LoggerMessage(1602, LogLevel.Information, "{Text}")]
    static partial void LogGood(ILogger log, string text);

    [LoggerMessage(1603, LogLevel.Error, "{Text}")]
    static partial void LogFailed(ILogger log, string text);

    [LoggerMessage(1604, LogLevel.Information, "{Text}")]
    static partial void LogInstall(ILogger log, string text);

    [LoggerMessage(1606, LogLevel.Warning, "{Text}")]
    static partial void LogEntryRepaired(ILogger log, string text);

    [LoggerMessage(1605, LogLevel.Warning, "firmware install from {Source} failed: {Error}")]
    static partial void LogInstallFailed(ILogger log, string source, string error);
}
