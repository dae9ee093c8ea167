using System.Text.Json.Nodes;
using Cpe.Config.Schema;

namespace Cpe.Config;

/// <summary>A leaf both sides changed to different values: the candidate's value was kept, the committed one dropped.</summary>
public sealed record MergeConflict(string Path, string Kept, string Dropped);

/// <summary>
/// "update": a three-way merge of the changes made in a candidate (from <c>base</c> to <c>mine</c>) onto the revision
/// committed meanwhile (<c>theirs</c>, by zero-touch, the fleet or an automatic rollback). What only one side changed
/// is taken from that side; list entries merge by key and leaf-lists item by item; a leaf both sides changed to
/// different values keeps the candidate's and is reported, so the technician sees what the commit will override.
/// </summary>
public static class ConfigMerge
{
    public static (JsonObject Merged, IReadOnlyList<MergeConflict> Conflicts) ThreeWay(JsonObject @base, JsonObject mine, JsonObject theirs)
    {
        var conflicts = new List<MergeConflict>();
        var merged = Objects(@base, mine, theirs, ConfigSchema.Root, "", conflicts);
        return (merged, conflicts);
    }

    static JsonObject Objects(JsonObject? b, JsonObject? m, JsonObject? t, ParentNode schema, string path, List<MergeConflict> conflicts)
    {
        var result = new JsonObject();
        // The list key first, as every entry is written.
        if (schema is ListNode && (m ?? t)?[ListNode.KeyMember] is JsonNode key) result[ListNode.KeyMember] = key.DeepClone();
        foreach (var child in schema.Children)
        {
            string childPath = path.Length == 0 ? child.Name : path + " " + child.Name;
            if (Member(b?[child.Name], m?[child.Name], t?[child.Name], child, childPath, conflicts) is JsonNode value)
                result[child.Name] = value;
        }
        // Comments (annotations) merge as statements do, the candidate's change first; a leaf's only while the leaf is there.
        var annotations = new[] { b, m, t }.OfType<JsonObject>().SelectMany(o => o.Select(kv => kv.Key)).Where(ConfigAnnotations.IsAnnotation).Distinct().ToList();
        foreach (string name in annotations)
        {
            var chosen = JsonNode.DeepEquals(m?[name], b?[name]) ? t?[name] : m?[name];
            if (chosen is not null && (name == ConfigAnnotations.Self || result[name[1..]] is not null)) result[name] = chosen.DeepClone();
        }
        return result;
    }

    static JsonNode? Member(JsonNode? b, JsonNode? m, JsonNode? t, SchemaNode schema, string path, List<MergeConflict> conflicts)
    {
        if (JsonNode.DeepEquals(m, b) || JsonNode.DeepEquals(m, t)) return t?.DeepClone();
        if (JsonNode.DeepEquals(t, b)) return m?.DeepClone();
        // Both sides changed this member, differently.
        switch (schema)
        {
            // An absent container or list is an empty one (the tree never keeps empty ones), so that what each side
            // did inside is merged, not the whole taken from one side.
            case ContainerNode c when m is JsonObject or null && t is JsonObject or null:
                return Objects(b as JsonObject, m as JsonObject ?? [], t as JsonObject ?? [], c, path, conflicts) is { Count: > 0 } o ? o : null;
            case ListNode l when m is JsonArray or null && t is JsonArray or null:
                return List(b as JsonArray, m as JsonArray ?? [], t as JsonArray ?? [], l, path, conflicts) is { Count: > 0 } a ? a : null;
            case LeafListNode when m is JsonArray ma && t is JsonArray ta:
                var bi = b as JsonArray ?? [];
                var items = ta.Where(x => !(Contains(bi, x) && !Contains(ma, x))).Select(x => x?.DeepClone()).ToList();
                items.AddRange(ma.Where(x => !Contains(bi, x) && !Contains(ta, x)).Select(x => x?.DeepClone()));
                return new JsonArray([.. items]);
            default:
                conflicts.Add(new MergeConflict(path, Text(schema, m), Text(schema, t)));
                return m?.DeepClone();
        }
    }

    /// <summary>Entries by key: in the committed order, then the candidate's new ones; each entry merged on its own.</summary>
    static JsonArray List(JsonArray? b, JsonArray m, JsonArray t, ListNode schema, string path, List<MergeConflict> conflicts)
    {
        var keys = t.OfType<JsonObject>().Select(ConfigText.KeyOf)
            .Concat(m.OfType<JsonObject>().Select(ConfigText.KeyOf)).Distinct().ToList();
        var result = new JsonArray();
        foreach (string key in keys)
        {
            JsonObject? be = ConfigTree.FindEntry(b, key), me = ConfigTree.FindEntry(m, key), te = ConfigTree.FindEntry(t, key);
            string entryPath = path + " " + TokenText.Quote(key);
            if (JsonNode.DeepEquals(me, be) || JsonNode.DeepEquals(me, te)) { if (te is not null) result.Add(te.DeepClone()); continue; }
            if (JsonNode.DeepEquals(te, be)) { if (me is not null) result.Add(me.DeepClone()); continue; }
            if (me is null || te is null)
            {
                // One side deleted the entry, the other changed it: the candidate's side wins, as for a leaf.
                conflicts.Add(new MergeConflict(entryPath, me is null ? "(deleted)" : "(changed)", te is null ? "(deleted)" : "(changed)"));
                if (me is not null) result.Add(me.DeepClone());
                continue;
            }
            result.Add((JsonNode)Objects(be, me, te, schema, entryPath, conflicts));
        }
        return result;
    }

    static bool Contains(JsonArray items, JsonNode? item) => items.Any(x => JsonNode.DeepEquals(x, item));

    static string Text(SchemaNode schema, JsonNode? value) => value switch
    {
        null => "(deleted)",
        _ when schema is LeafNode { Type: var type } && type == Types.PasswordHash => "(a password hash)",
        _ when schema is LeafNode leaf => TokenText.Quote(leaf.Type.Format(value)),
        _ => "(changed)",
    };
}
