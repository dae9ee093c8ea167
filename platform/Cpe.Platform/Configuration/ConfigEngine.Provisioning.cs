using System.Text.Json.Nodes;
using Cpe.Config;

namespace Cpe.Platform.Configuration;

// Commits that come whole from zero-touch provisioning or a fleet push rather than from edits to the candidate.
public sealed partial class ConfigEngine
{
    /// <summary>
    /// Commits <paramref name="document"/> merged onto (or replacing) the active configuration in one step. A technician's
    /// uncommitted candidate is left as it was; a candidate nobody had touched follows the new revision.
    /// </summary>
    public async Task<CommitOutcome> ApplyDocumentAsync(Editor editor, string mode, JsonObject document, int? confirmMinutes, string? comment, CancellationToken ct)
    {
        var incoming = ConfigDocument.Parse(document.ToJsonString());
        await _gate.WaitAsync(ct);
        try
        {
            ThrowIfLockedByOther(editor);
            var active = Active();
            JsonObject next = mode switch
            {
                "replace" => incoming,
                "merge" => Merged(active, incoming),
                _ => throw new ConfigException("", $"configuration handling '{mode}' must be merge or replace"),
            };
            bool candidateClean = JsonNode.DeepEquals(Normalize(_candidate), Normalize(active));
            var outcome = await CommitTreeAsync(editor, next, checkOnly: false, confirmMinutes, comment, candidateFollows: candidateClean, ct);
            RecordProvisioned(editor, outcome.Revision, incoming);
            return outcome;
        }
        finally { _gate.Release(); }
    }

    /// <summary>Confirms a pending "commit confirmed"; false when none was pending.</summary>
    public async Task<bool> ConfirmAsync(Editor editor, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_store.Active()?.ConfirmBy is null) return false;
            await CommitTreeAsync(editor, Active(), checkOnly: false, confirmMinutes: null, comment: null, candidateFollows: false, ct);
            return true;
        }
        finally { _gate.Release(); }
    }

    static JsonObject Merged(JsonObject active, JsonObject incoming)
    {
        var next = (JsonObject)active.DeepClone();
        ConfigTree.Merge(next, incoming, Cpe.Config.Schema.ConfigSchema.Root);
        return next;
    }
}
