using System.Text.Json.Nodes;
using Cpe.Config;

namespace Cpe.Platform.Configuration;

// Configuration mode: entering and leaving, the exclusive lock, and edits to the shared candidate.
public sealed partial class ConfigEngine
{
    public async Task<string[]> EnterAsync(Editor editor, bool exclusive, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_exclusiveOwner is int owner && owner != editor.SessionId)
                throw new ConfigLockedException($"configuration locked by {_editors[owner].User} (session {owner}) with 'configure exclusive'");
            bool changed = HasChanges();
            if (exclusive)
            {
                if (changed)
                    throw new ConfigLockedException("the shared candidate has uncommitted changes; commit or roll them back before 'configure exclusive'");
                var others = _editors.Values.Where(e => e.SessionId != editor.SessionId).ToList();
                if (others.Count > 0)
                    throw new ConfigLockedException("other users are in configuration mode: " + string.Join(", ", others.Select(e => e.User)));
                lock (_editors) _exclusiveOwner = editor.SessionId;
            }
            var warnings = new List<string>();
            var editing = _editors.Values.Where(e => e.SessionId != editor.SessionId).Select(e => $"{e.User} (session {e.SessionId})").ToList();
            if (editing.Count > 0) warnings.Add("Users currently editing the configuration: " + string.Join(", ", editing));
            if (changed && !exclusive) warnings.Add("The configuration has been changed but not committed");
            if (Diverged() is { } modified) warnings.Add(modified.Warning);
            lock (_editors) _editors[editor.SessionId] = editor;
            return warnings.ToArray();
        }
        finally { _gate.Release(); }
    }

    /// <summary>Leaves configuration mode. Leaving "configure exclusive" discards what was not committed.</summary>
    public async Task ExitAsync(int sessionId, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_exclusiveOwner == sessionId)
            {
                lock (_editors) _exclusiveOwner = null;
                if (HasChanges()) SaveCandidate(Active(), ActiveId());
            }
            lock (_editors) _editors.Remove(sessionId);
        }
        finally { _gate.Release(); }
    }

    public bool IsEditing(int sessionId) { lock (_editors) return _editors.ContainsKey(sessionId); }

    public (bool Exclusive, string? LockedBy, string[] Editors) Status(int sessionId)
    {
        lock (_editors)
            return (_exclusiveOwner == sessionId,
                _exclusiveOwner is int o && _editors.TryGetValue(o, out var e) ? e.User : null,
                _editors.Values.Select(x => x.User).ToArray());
    }

    public JsonObject Candidate() { lock (_editors) return (JsonObject)_candidate.DeepClone(); }

    /// <summary>True when the candidate differs from the active configuration.</summary>
    public bool HasChanges() => !JsonNode.DeepEquals(Normalize(_candidate), Normalize(Active()));

    /// <summary>"set", including chained statements; all of them apply or none.</summary>
    public Task SetAsync(Editor editor, IReadOnlyList<string> tokens, CancellationToken ct) =>
        EditAsync(editor, ct, c =>
        {
            foreach (var statement in ConfigPath.ParseStatements(tokens)) ConfigTree.Set(c, statement);
        });

    /// <summary>Deletes a path; false (and nothing changed) when it was not configured.</summary>
    public async Task<bool> DeleteAsync(Editor editor, IReadOnlyList<string> tokens, CancellationToken ct)
    {
        bool removed = false;
        await EditAsync(editor, ct, c => removed = ConfigTree.Delete(c, ConfigPath.Parse(tokens, allowValue: true)));
        return removed;
    }

    /// <summary>"annotate": a comment on a configured statement ("" removes it).</summary>
    public Task AnnotateAsync(Editor editor, IReadOnlyList<string> tokens, string comment, CancellationToken ct) =>
        EditAsync(editor, ct, c => ConfigAnnotations.Annotate(c, ConfigPath.Parse(tokens, allowValue: false), comment));

    /// <summary>"load merge|replace": a JSON document (or a subtree at <paramref name="at"/>) into the candidate.</summary>
    public Task LoadAsync(Editor editor, string mode, JsonObject document, IReadOnlyList<string>? at, CancellationToken ct) =>
        EditAsync(editor, ct, c =>
        {
            var incoming = ConfigDocument.Parse(document.ToJsonString());
            var path = ConfigPath.Parse(at ?? [], allowValue: false);
            if (!path.IsRoot)
            {
                // A subtree loaded at the edit level: wrap it in its parents.
                incoming = WrapAt(path, incoming);
            }
            if (mode == "replace")
            {
                if (path.IsRoot) { c.Clear(); }
                else ConfigTree.Delete(c, path);
            }
            else if (mode != "merge") throw new ConfigException("", $"load mode '{mode}' must be merge or replace");
            ConfigTree.Merge(c, incoming, Cpe.Config.Schema.ConfigSchema.Root);
        });

    /// <summary>"rollback N": revision N (0 = active) becomes the candidate, started afresh from the active revision.</summary>
    public Task RollbackAsync(Editor editor, int number, CancellationToken ct) =>
        EditAsync(editor, ct, c =>
        {
            var doc = RevisionTree(number);
            c.Clear();
            foreach (var (k, v) in doc) c[k] = v?.DeepClone();
        }, fromActive: true);

    /// <summary>The configuration of the revision with this id, while the box keeps it (a fleet restore names it by id).</summary>
    public JsonObject RevisionById(long id) =>
        _store.Revisions().FirstOrDefault(r => r.Id == id) is { } revision ? ConfigDocument.Parse(revision.Document)
            : throw new ConfigException("", $"revision {id} is no longer kept on this box (it keeps the last {Cpe.Platform.State.StateStore.KeptRevisions})");

    /// <summary>The configuration of revision N (0 = active, 1 = the one before, ...).</summary>
    public JsonObject RevisionTree(int number)
    {
        var revisions = _store.Revisions();
        if (number == 0 && revisions.Count == 0) return ConfigDocument.FactoryDefault(_wanPort);
        if (number < 0 || number >= revisions.Count) throw new NoSuchRevisionException(number, revisions.Count);
        return ConfigDocument.Parse(revisions[number].Document);
    }

    /// <summary>
    /// "show | compare [rollback N]": the candidate against the active configuration or revision N; when a commit was
    /// made under the candidate, also what that commit changed and what the candidate's own changes are.
    /// </summary>
    public string Compare(int? rollback) =>
        rollback is int n ? ConfigDiff.Compare(RevisionTree(n), Candidate())
        : Diverged() is { } modified ? ThreeWayCompare(modified)
        : ConfigDiff.Compare(Active(), Candidate());

    /// <param name="fromActive">The edit replaces the candidate as a whole (rollback): it starts from the active revision.</param>
    async Task EditAsync(Editor editor, CancellationToken ct, Action<JsonObject> edit, bool fromActive = false)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (!_editors.ContainsKey(editor.SessionId)) throw new NotConfiguringException();
            if (_exclusiveOwner is int owner && owner != editor.SessionId)
                throw new ConfigLockedException($"configuration locked by {_editors[owner].User} (session {owner})");
            // Edit a copy so a failed edit leaves the candidate exactly as it was.
            var copy = (JsonObject)_candidate.DeepClone();
            // A clean candidate is started from the active revision by its first edit.
            long basis = fromActive || !HasChanges() ? ActiveId() : _candidateBase;
            edit(copy);
            SaveCandidate(copy, basis);
        }
        finally { _gate.Release(); }
    }

    void SaveCandidate(JsonObject tree, long basis)
    {
        _store.SaveCandidate(ConfigDocument.Serialize(tree), basis);
        lock (_editors) (_candidate, _candidateBase) = (tree, basis);
    }

    static JsonObject WrapAt(ConfigPath path, JsonObject subtree)
    {
        var root = new JsonObject();
        ConfigTree.Set(root, path);
        var target = (JsonObject)ConfigTree.Get(root, path)!;
        foreach (var (k, v) in subtree) target[k] = v?.DeepClone();
        return root;
    }

    /// <summary>Canonical form for comparisons: the serialized document, re-parsed.</summary>
    static JsonNode Normalize(JsonObject tree) => JsonNode.Parse(ConfigDocument.Serialize(tree))!;
}
