using System.Text.Json.Nodes;
using Cpe.Config;
using Cpe.Platform.State;

namespace Cpe.Platform.Configuration;

/// <summary>The outcome of a commit: the revision now active, and the deadline when it must be confirmed.</summary>
public sealed record CommitOutcome(long Revision, string Message, DateTimeOffset? ConfirmBy);

// commit, commit check, commit confirmed, and the rollback of every subsystem when one fails.
public sealed partial class ConfigEngine
{
    public async Task<CommitOutcome> CommitAsync(Editor editor, bool checkOnly, int? confirmMinutes, string? comment, CancellationToken ct)
    {
        if (_stopping) throw new ShuttingDownException();
        await _gate.WaitAsync(ct);
        try
        {
            ThrowIfLockedByOther(editor);
            if (Diverged() is { } modified) throw new ConfigModifiedException(modified.Refusal);
            return await CommitTreeAsync(editor, (JsonObject)_candidate.DeepClone(), checkOnly, confirmMinutes, comment, candidateFollows: true, ct);
        }
        finally { _gate.Release(); }
    }

    void ThrowIfLockedByOther(Editor editor)
    {
        if (_stopping) throw new ShuttingDownException();
        if (_exclusiveOwner is int owner && owner != editor.SessionId)
            throw new ConfigLockedException($"configuration locked by {_editors[owner].User} (session {owner})");
    }

    /// <summary>
    /// Validates, reconciles and stores <paramref name="next"/>; the caller holds the gate. The candidate becomes
    /// <paramref name="next"/> when <paramref name="candidateFollows"/> (a commit of the candidate itself, or a
    /// zero-touch commit over a candidate nobody had touched).
    /// </summary>
    async Task<CommitOutcome> CommitTreeAsync(Editor editor, JsonObject next, bool checkOnly, int? confirmMinutes, string? comment, bool candidateFollows, CancellationToken ct)
    {
        var errors = ConfigValidator.Validate(next);
        // Each subsystem reads its sections once: what commit check judged is what is applied.
        var prepared = errors.Count == 0 ? _reconcilers.Select(r => r.Prepare(next)).ToList() : [];
        if (errors.Count == 0) errors = prepared.SelectMany(p => p.Errors).ToList();
        if (errors.Count > 0) throw new ConfigException(errors);
        if (checkOnly) return new CommitOutcome(_store.Active()?.Id ?? 0, "configuration check succeeds", null);
        if (confirmMinutes is < 1 or > 65535)
            throw new ConfigException("commit confirmed", "minutes must be from 1 to 65535");

        var activeRevision = _store.Active();
        var active = ParseRevision(activeRevision);
        bool unchanged = JsonNode.DeepEquals(Normalize(next), Normalize(active));

        // A plain commit with nothing new confirms a pending "commit confirmed".
        if (unchanged && confirmMinutes is null && activeRevision?.ConfirmBy is not null)
        {
            _store.ClearConfirmation(activeRevision.Id);
            DisarmConfirmTimer();
            LastGoodBackup.Write(_stateDirectory, activeRevision);
            _events.Record("commit-confirmed", $"revision {activeRevision.Id} confirmed by {editor.User}");
            return new CommitOutcome(activeRevision.Id, "commit confirmed; rollback cancelled", null);
        }

        // Nothing to apply: a revision that changes nothing would only push a real one out of the kept history.
        if (unchanged && confirmMinutes is null && activeRevision is not null)
        {
            if (candidateFollows) lock (_editors) (_candidate, _candidateBase) = (next, activeRevision.Id);
            if (ByPerson(editor)) _events.ClearAlarm(RolledBackAlarm);
            return new CommitOutcome(activeRevision.Id, $"commit complete: no changes, revision {activeRevision.Id} stays active", null);
        }

        await ReconcileAllAsync(active, prepared, ct);

        DateTimeOffset? confirmBy = confirmMinutes is int m ? _clock.GetUtcNow().AddMinutes(m) : null;
        Revision stored;
        try
        {
            stored = _store.AddRevision(ConfigDocument.Serialize(next), editor.User, editor.Source, comment, confirmBy,
                candidate: candidateFollows ? ConfigDocument.Serialize(next) : null);
        }
        catch (Exception e)
        {
            // The kernel already has the new configuration but the store could not record it: undo.
            await RestoreAllAsync(active, _reconcilers.Count);
            throw new CommitFailedException("state-store", e.Message, e);
        }
        if (candidateFollows) lock (_editors) (_candidate, _candidateBase) = (next, stored.Id);
        TrackOverride(editor, stored, next);
        if (ByPerson(editor)) _events.ClearAlarm(RolledBackAlarm);
        if (confirmBy is DateTimeOffset deadline) ArmConfirmTimer(stored.Id, deadline);
        else
        {
            DisarmConfirmTimer();
            LastGoodBackup.Write(_stateDirectory, stored);
        }
        _events.Record("commit", $"revision {stored.Id} committed by {editor.User} via {editor.Source}"
            + (comment is null ? "" : $": {comment}")
            + (confirmBy is null ? "" : $" (confirm within {confirmMinutes} min)"));
        string message = confirmBy is null ? "commit complete"
            : $"commit confirmed will be automatically rolled back in {confirmMinutes} minute(s) unless confirmed";
        return new CommitOutcome(stored.Id, message, confirmBy);
    }

    /// <summary>Applies each subsystem's prepared configuration in order; on a failure, puts every one back to <paramref name="active"/>.</summary>
    async Task ReconcileAllAsync(JsonObject active, IReadOnlyList<PreparedConfig> next, CancellationToken ct)
    {
        for (int i = 0; i < _reconcilers.Count; i++)
        {
            var r = _reconcilers[i];
            try
            {
                await next[i].ApplyAsync(ct);
            }
            catch (Exception e)
            {
                Log.ReconcileFailed(_log, r.Subsystem, e);
                await RestoreAllAsync(active, i + 1);
                throw new CommitFailedException(r.Subsystem, e.Message, e);
            }
        }
    }

    /// <summary>Puts the first <paramref name="count"/> subsystems back to <paramref name="to"/>, newest first; raises an alarm where that fails too.</summary>
    /// <remarks>Not cancellable: a half-restored box is worse than a slow one.</remarks>
    async Task RestoreAllAsync(JsonObject to, int count)
    {
        for (int j = count - 1; j >= 0; j--)
        {
            var r = _reconcilers[j];
            try
            {
                await r.Prepare(to).ApplyAsync(CancellationToken.None);
            }
            catch (Exception e)
            {
                Log.RestoreFailed(_log, r.Subsystem, e);
                _events.RaiseAlarm("reconcile-" + r.Subsystem, "major",
                    $"subsystem {r.Subsystem} could not be restored to the previous configuration: {e.Message}");
            }
        }
    }

    /// <summary>"show system commit": revisions newest first, numbered as "rollback N" takes them.</summary>
    public IReadOnlyList<(int Number, Revision Revision)> History() =>
        _store.Revisions().Select((r, i) => (i, r)).ToList();
}
