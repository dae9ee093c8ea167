using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Cpe.Config;
using Cpe.Platform.State;

namespace Cpe.Platform.Configuration;

/// <summary>Commits made under a candidate being edited: what they were, and the candidate's words about them.</summary>
public sealed record CandidateDivergence(long BaseRevision, IReadOnlyList<Revision> Since)
{
    /// <summary>The newest of the revisions committed since (newest first): the active one.</summary>
    public long ActiveRevision => Since[0].Id;

    string Latest => Describe(Since[0]);

    /// <summary>Shown on entering configuration mode.</summary>
    public string Warning => $"The active configuration changed after the candidate was started from revision {BaseRevision}: {Latest}. " +
        "'show | compare' shows both sets of changes; 'update' merges the candidate's onto it";

    /// <summary>Why "commit" refused.</summary>
    public string Refusal => "configuration database modified\n" +
        $"{Latest} was committed after this candidate was started from revision {BaseRevision}; committing the candidate as it is would undo it.\n" +
        $"Use 'show | compare' to see both sets of changes, 'update' to merge yours onto revision {ActiveRevision}, or 'rollback 0' to discard yours";

    public static string Describe(Revision r) =>
        $"revision {r.Id} by {r.Author} via {Via(r.Source)} at {r.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC"
        + (r.Comment is { Length: > 0 } c ? $" ({c})" : "");

    static string Via(string source) => source switch
    {
        ConfigSources.Ztp => "zero-touch",
        ConfigSources.Fleet => "a fleet push",
        ConfigSources.System => "the box",
        ConfigSources.Cli => "the CLI",
        _ => source,
    };
}

// Commits made under a candidate being edited (Junos's "configuration database modified"), and what zero-touch or the
// fleet set that a local commit took away (reported to the vendor server at check-in).
public sealed partial class ConfigEngine
{
    long ActiveId() => _store.Active()?.Id ?? 0;

    /// <summary>Null unless the candidate has changes and a revision was committed after it was started.</summary>
    public CandidateDivergence? Diverged()
    {
        long basis;
        lock (_editors) basis = _candidateBase;
        // The active revision's id first: the kept revisions (documents and all) are read only when one came since.
        if (ActiveId() <= basis || !HasChanges()) return null;
        return new CandidateDivergence(basis, [.. _store.Revisions().TakeWhile(r => r.Id > basis)]);
    }

    /// <summary>A commit a person made (the CLI or the local API), not zero-touch, the fleet or the box itself.</summary>
    static bool ByPerson(Editor editor) => editor.Source is ConfigSources.Cli or ConfigSources.Api;

    /// <summary>"update": the candidate's changes since its base merged onto the active revision; leaves both changed keep the candidate's.</summary>
    public async Task<string> UpdateAsync(Editor editor, CancellationToken ct)
    {
        CandidateDivergence? modified = null;
        IReadOnlyList<MergeConflict> conflicts = [];
        await EditAsync(editor, ct, c =>
        {
            if ((modified = Diverged()) is null) return;
            var basis = _store.Revisions().FirstOrDefault(r => r.Id == modified.BaseRevision)
                ?? throw new ConfigModifiedException($"revision {modified.BaseRevision}, which this candidate was started from, is no longer kept, " +
                    "so the candidate's own changes cannot be told apart; 'rollback 0' discards them");
            var (merged, found) = ConfigMerge.ThreeWay(ConfigDocument.Parse(basis.Document), c, Active());
            conflicts = found;
            c.Clear();
            foreach (var (k, v) in merged) c[k] = v?.DeepClone();
        }, fromActive: true);
        if (modified is null) return $"update: nothing to merge; the candidate is based on the active revision {ActiveId()}";
        var sb = new StringBuilder($"update complete: the candidate's changes are merged onto revision {modified.ActiveRevision}");
        foreach (var x in conflicts)
            sb.Append($"\nboth changed [{x.Path}]: the candidate's {x.Kept} is kept, revision {modified.ActiveRevision}'s {x.Dropped} would be overridden");
        return sb.ToString();
    }

    string ThreeWayCompare(CandidateDivergence modified)
    {
        var sb = new StringBuilder();
        var candidate = Candidate();
        var basis = _store.Revisions().FirstOrDefault(r => r.Id == modified.BaseRevision);
        sb.Append($"## The active configuration changed after this candidate was started from revision {modified.BaseRevision}:\n");
        foreach (var r in modified.Since.Reverse()) sb.Append("## ").Append(CandidateDivergence.Describe(r)).Append('\n');
        if (basis is null) sb.Append($"## (revision {modified.BaseRevision} is no longer kept: its changes cannot be shown apart)\n");
        else
        {
            var before = ConfigDocument.Parse(basis.Document);
            sb.Append(ConfigDiff.Compare(before, Active()));
            sb.Append($"## The candidate's own changes to revision {modified.BaseRevision}:\n").Append(ConfigDiff.Compare(before, candidate));
        }
        sb.Append($"## What 'commit' would change in the active configuration (revision {modified.ActiveRevision}); 'update' first keeps both:\n")
            .Append(ConfigDiff.Compare(Active(), candidate));
        return sb.ToString();
    }

    /// <summary>Zero-touch or the fleet committed <paramref name="document"/>: what it sets is what a later local commit may override.</summary>
    void RecordProvisioned(Editor editor, long revision, JsonObject document)
    {
        if (editor.Source is not (ConfigSources.Ztp or ConfigSources.Fleet)) return;
        _store.SetProvisioned(new ProvisionedSet(revision, editor.Source, editor.User, _clock.GetUtcNow(),
            [.. ConfigText.SetCommands(document, ConfigPath.Parse([], allowValue: false))]));
    }

    /// <summary>
    /// A local commit (CLI or API) that takes away statements zero-touch or the fleet set is recorded as an override
    /// (and logged); one that leaves them all in force clears the record.
    /// </summary>
    void TrackOverride(Editor editor, Revision stored, JsonObject next)
    {
        if (!ByPerson(editor) || _store.Provisioned() is not { } provisioned) return;
        var now = ConfigText.SetCommands(next, ConfigPath.Parse([], allowValue: false)).ToHashSet(StringComparer.Ordinal);
        string[] removed = [.. provisioned.Statements.Where(s => !now.Contains(s))];
        if (removed.Length == 0)
        {
            if (_store.Override() is not null) _store.SetOverride(null);
            return;
        }
        _store.SetOverride(new LocalOverride(stored.Id, editor.User, stored.CreatedAt, removed));
        string via = provisioned.Source == ConfigSources.Ztp ? "zero-touch" : "the fleet";
        _events.Record("config-override", Api.SecretData.Redact($"revision {stored.Id} by {editor.User} overrides {removed.Length} statement(s) {via} set in revision {provisioned.Revision}: " +
            string.Join("; ", removed.Take(3)) + (removed.Length > 3 ? "; ..." : "")));
    }

    /// <summary>What the last local override took away, for the check-in; null when nothing is overridden.</summary>
    public LocalOverride? Override() => _store.Override();
}
