using System.Text.Json.Nodes;
using Cpe.Config;

namespace Cpe.Platform.Configuration;

// The countdown of "commit confirmed": unless confirmed in time, the previous revision comes back.
public sealed partial class ConfigEngine
{
    ITimer? _confirmTimer;

    /// <summary>Raised by an automatic rollback; cleared by the next commit a person makes (CLI or local API).</summary>
    public const string RolledBackAlarm = "commit-rolled-back";

    void ArmConfirmTimer(long revisionId, DateTimeOffset deadline)
    {
        DisarmConfirmTimer();
        var due = deadline - _clock.GetUtcNow();
        if (due < TimeSpan.Zero) due = TimeSpan.Zero;
        _confirmTimer = _clock.CreateTimer(_ => _ = OnConfirmDeadlineAsync(revisionId), null, due, Timeout.InfiniteTimeSpan);
    }

    void DisarmConfirmTimer()
    {
        _confirmTimer?.Dispose();
        _confirmTimer = null;
    }

    /// <summary>The timer's callback: a revert that fails must still be seen, as an alarm.</summary>
    async Task OnConfirmDeadlineAsync(long revisionId)
    {
        try { await RevertUnconfirmedAsync(revisionId); }
        catch (Exception e)
        {
            Log.RevertFailed(_log, revisionId, e);
            _events.RaiseAlarm("commit-confirmed-revert", "critical",
                $"the unconfirmed revision {revisionId} could not be rolled back: {e.Message}");
        }
    }

    /// <summary>Commits the revision before <paramref name="revisionId"/> again if that one is still unconfirmed.</summary>
    public async Task RevertUnconfirmedAsync(long revisionId)
    {
        await _gate.WaitAsync();
        try
        {
            var revisions = _store.Revisions(2);
            if (revisions.Count == 0 || revisions[0].Id != revisionId || revisions[0].ConfirmBy is null) return;
            var unconfirmed = ConfigDocument.Parse(revisions[0].Document);
            var previous = revisions.Count > 1 ? ConfigDocument.Parse(revisions[1].Document) : ConfigDocument.FactoryDefault(_wanPort);
            // Best effort on every subsystem: the point is to get the box back to what worked.
            await RestoreAllAsync(previous, _reconcilers.Count);
            bool candidateWasClean = JsonNode.DeepEquals(Normalize(_candidate), Normalize(unconfirmed));
            string text = $"commit confirmed of revision {revisionId} was not confirmed by {revisions[0].ConfirmBy:u}; "
                + (revisions.Count > 1 ? $"revision {revisions[1].Id} restored" : "factory default restored");
            var stored = _store.AddRevision(ConfigDocument.Serialize(previous), "system", State.ConfigSources.System,
                "automatic rollback: " + text, null, candidateWasClean ? ConfigDocument.Serialize(previous) : null);
            if (candidateWasClean) lock (_editors) (_candidate, _candidateBase) = (previous, stored.Id);
            State.LastGoodBackup.Write(_stateDirectory, stored);
            // What an unconfirmed push set is no longer in force: a later local commit overrides nothing of it.
            if (_store.Provisioned()?.Revision == revisionId) _store.SetProvisioned(null);
            DisarmConfirmTimer();
            Log.ConfirmExpired(_log, revisionId);
            _events.Record("commit-confirmed-expired", text);
            // Until a person commits again: somebody has to look at what was undone and why.
            _events.RaiseAlarm(RolledBackAlarm, "major", $"{text}; the next commit from the CLI or the local API clears this alarm");
        }
        finally { _gate.Release(); }
    }
}
