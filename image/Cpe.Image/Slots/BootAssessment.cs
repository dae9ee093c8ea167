using Cpe.Image.Bundles;

namespace Cpe.Image.Slots;

/// <summary>
/// What the running slot decides at start (docs/reference/firmware-slots.md, "Boot assessment"): whether it is on
/// trial (its entry still counts tries), whether the other slot failed its trial and fell back here (recorded once,
/// with the reason that slot left behind), and, once its health check passes, marking itself good and raising the
/// anti-rollback floor. A slot never marks itself good before its health check; the floor never rises before that.
/// </summary>
public sealed class BootAssessment(BootEntries entries, ImageState state, string booted, string runningVersion, TimeProvider clock)
{
    public string Booted => booted;
    public string Other => Partitions.Other(booted);

    /// <summary>The running slot's entry still counts tries: it must pass its health check or the box falls back.</summary>
    public bool OnTrial => entries.Of(booted) is { Entry.Good: false };

    /// <summary>
    /// The other slot ran out of tries and the loader came back here: recorded once (its bad entry is then removed, and its
    /// slot record keeps the failure for show system software), with the reason it wrote before it gave up, if any.
    /// </summary>
    public Fallback? RecordFallback()
    {
        var other = entries.Of(Other);
        if (other is null || !other.Entry.Bad) return null;
        var record = state.Slot(Other);
        var attempt = state.Attempt(Other);
        string version = record?.Version ?? other.FirmwareVersion ?? "unknown";
        string reason = attempt is not null
            ? $"health check '{attempt.Check}' failed: {attempt.Detail}"
            : "it never passed its health check (it did not get far enough to say why: no kernel, no root, or cped did not start)";
        var fallback = new Fallback(Other, version, booted, runningVersion, other.Entry.TriesDone ?? BootEntries.Tries, reason, attempt?.LogTail ?? [], clock.GetUtcNow());
        state.SetLastFallback(fallback);
        if (record is not null) state.SetSlot(record with { Failure = reason });
        state.ClearAttempt(Other);
        entries.Remove(Other);
        return fallback;
    }

    /// <summary>The health check passed: the slot is good, and the floor rises to its bundle's minimum version.</summary>
    public FirmwareVersion MarkGood()
    {
        entries.MarkGood(booted);
        state.ClearAttempt(booted);
        var floor = state.Floor;
        if (state.Slot(booted) is { } record && FirmwareVersion.TryParse(record.MinimumVersion, out var minimum) && minimum > floor)
            state.Floor = floor = minimum;
        return floor;
    }

    /// <summary>The health check failed: say why for the slot that runs after the fallback, before rebooting.</summary>
    public void RecordFailure(string check, string detail, string[] logTail) =>
        state.SetAttempt(new FailedAttempt(booted, runningVersion, check, detail, logTail, clock.GetUtcNow()));
}
