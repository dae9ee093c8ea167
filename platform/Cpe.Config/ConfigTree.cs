using System.Text.Json.Nodes;
using Cpe.Config.Schema;

namespace Cpe.Config;

/// <summary>
/// Reads and edits a configuration tree (the JSON object of the document, without its
/// schema version) along resolved paths. Lists are arrays of objects keyed by "name".
/// </summary>
public static class ConfigTree
{
    /// <summary>The subtree at a path, or null when it is not configured.</summary>
    public static JsonNode? Get(JsonObject root, ConfigPath path)
    {
        JsonNode? node = root;
        foreach (var step in path.Steps)
        {
            if (node is not JsonObject obj) return null;
            node = obj[step.Node.Name];
            if (step.Key is not null) node = FindEntry(node as JsonArray, step.Key);
        }
        return node;
    }

    /// <summary>"set": creates what the path names; a leaf takes the value, a leaf-list adds it.</summary>
    public static void Set(JsonObject root, ConfigPath path)
    {
        if (path.IsRoot) throw new ConfigException("", "syntax error: set needs a path");
        var target = path.Target;
        JsonNode? parsed = null;
        if (target is LeafNode or LeafListNode)
        {
            var type = target is LeafNode l ? l.Type : ((LeafListNode)target).Type;
            if (path.Value is null)
                throw new ConfigException(path.ToString(), $"missing value: expects {type.Placeholder}");
            parsed = type.Parse(path.Value)
                ?? throw new ConfigException(path.ToString(), $"'{path.Value}' {type.Rule}");
        }
        else if (path.Steps[^1] is { Node: ListNode, Key: null })
            throw new ConfigException(path.ToString(), $"missing name: expects {((ListNode)target).KeyType.Placeholder}");

        JsonObject parent = root;
        for (int i = 0; i < path.Steps.Count; i++)
        {
            var step = path.Steps[i];
            bool last = i == path.Steps.Count - 1;
            switch (step.Node)
            {
                case ContainerNode c:
                    parent = ObjectMember(parent, c.Name);
                    break;
                case ListNode list:
                    var array = parent[list.Name] as JsonArray;
                    if (array is null) { array = []; parent[list.Name] = array; }
                    var entry = FindEntry(array, step.Key!);
                    if (entry is null)
                    {
                        if (array.Count >= list.MaxEntries)
                            throw new ConfigException(path.ToString(), $"at most {list.MaxEntries} {list.Name} entries");
                        entry = new JsonObject { [ListNode.KeyMember] = step.Key };
                        array.Add((JsonNode)entry);
                    }
                    parent = entry;
                    break;
                case LeafNode leaf when last:
                    parent[leaf.Name] = parsed;
                    break;
                case LeafListNode ll when last:
                    var items = parent[ll.Name] as JsonArray;
                    if (items is null) { items = []; parent[ll.Name] = items; }
                    if (!items.Any(x => JsonNode.DeepEquals(x, parsed)))
                    {
                        if (items.Count >= ll.MaxItems)
                            throw new ConfigException(path.ToString(), $"at most {ll.MaxItems} values");
                        items.Add(parsed);
                    }
                    break;
            }
        }
    }

    /// <summary>"delete": removes what the path names; false when it was not configured.</summary>
    public static bool Delete(JsonObject root, ConfigPath path)
    {
        if (path.IsRoot)
        {
            bool any = root.Count > 0;
            root.Clear();
            return any;
        }
        // Walk to the parent object of the last step, remembering the way for pruning.
        var trail = new List<(JsonObject Obj, PathStep Step)>();
        JsonObject parent = root;
        for (int i = 0; i < path.Steps.Count - 1; i++)
        {
            var step = path.Steps[i];
            trail.Add((parent, step));
            JsonNode? next = parent[step.Node.Name];
            if (step.Key is not null) next = FindEntry(next as JsonArray, step.Key);
            if (next is not JsonObject o) return false;
            parent = o;
        }
        var last = path.Steps[^1];
        bool removed;
        if (last.Key is not null)
        {
            var array = parent[last.Node.Name] as JsonArray;
            var entry = FindEntry(array, last.Key);
            removed = entry is not null && array!.Remove(entry);
            if (array is { Count: 0 }) parent.Remove(last.Node.Name);
        }
        else if (last.Node is LeafListNode ll && path.Value is not null)
        {
            var items = parent[ll.Name] as JsonArray;
            var item = items?.FirstOrDefault(x => x is JsonValue v && ll.Type.Format(v) == path.Value);
            removed = item is not null && items!.Remove(item);
            if (items is { Count: 0 }) parent.Remove(ll.Name);
        }
        else removed = parent.Remove(last.Node.Name);
        if (parent[last.Node.Name] is null) parent.Remove(ConfigAnnotations.Self + last.Node.Name);   // a leaf's comment goes with it

        // Empty containers carry no meaning: remove them so "show" and diffs stay clean.
        for (int i = trail.Count - 1; i >= 0; i--)
        {
            var (obj, step) = trail[i];
            if (step.Key is not null || step.Node is not ContainerNode) break;
            if (obj[step.Node.Name] is JsonObject { Count: 0 }) obj.Remove(step.Node.Name);
            else break;
        }
        return removed;
    }

    /// <summary>Merges <paramref name="patch"/> into <paramref name="target"/>: leaves replaced, lists merged by key.</summary>
    public static void Merge(JsonObject target, JsonObject patch, ParentNode schema)
    {
        foreach (var (name, value) in patch)
        {
            var node = schema.Child(name);
            if (value is null || node is null) { target[name] = value?.DeepClone(); continue; }
            switch (node)
            {
                case ContainerNode c when value is JsonObject po:
                    Merge(ObjectMember(target, name), po, c);
                    break;
                case ListNode l when value is JsonArray pa && target[name] is JsonArray ta:
                    foreach (var pe in pa)
                    {
                        if (pe is JsonObject peo && peo[ListNode.KeyMember] is JsonValue k && k.TryGetValue(out string? key)
                            && FindEntry(ta, key) is JsonObject te)
                            Merge(te, peo, l);
                        else ta.Add(pe?.DeepClone());
                    }
                    break;
                case LeafListNode when value is JsonArray pa && target[name] is JsonArray ta:
                    foreach (var item in pa)
                        if (!ta.Any(x => JsonNode.DeepEquals(x, item))) ta.Add(item?.DeepClone());
                    break;
                default:
                    target[name] = value.DeepClone();
                    break;
            }
        }
    }

    public static JsonObject? FindEntry(JsonArray? array, string key) =>
        array?.OfType<JsonObject>().FirstOrDefault(e =>
            e[ListNode.KeyMember] is JsonValue v && v.TryGetValue(out string? k) && k == key);

    static JsonObject ObjectMember(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject o) return o;
        o = [];
        parent[name] = o;
        return o;
    }
}
