using System.Text;
using System.Text.Json.Nodes;
using Cpe.Config.Schema;

namespace Cpe.Config;

/// <summary>
/// "show | compare": the difference between two trees in Junos form, grouped under
/// "[edit path]" headers, lines marked "-" (removed) and "+" (added).
/// </summary>
public static class ConfigDiff
{
    public static string Compare(JsonObject? before, JsonObject? after)
    {
        var sb = new StringBuilder();
        Walk(before, after, ConfigSchema.Root, "", sb);
        return sb.ToString();
    }

    static void Walk(JsonObject? before, JsonObject? after, ParentNode schema, string path, StringBuilder output)
    {
        var here = new StringBuilder();
        var nested = new StringBuilder();
        foreach (var child in schema.Children)
        {
            JsonNode? o = before?[child.Name], n = after?[child.Name];
            if (o is null && n is null) continue;
            string childPath = path.Length == 0 ? child.Name : path + " " + child.Name;
            if (child is LeafNode or LeafListNode)
                CompareComment(before, after, ConfigAnnotations.Self + child.Name, here,
                    JsonNode.DeepEquals(o, n) && n is not null ? () => ConfigText.WriteMember(here, child, n, 0, "    ") : null);
            switch (child)
            {
                case ContainerNode c when o is JsonObject oo && n is JsonObject no:
                    CompareComment(oo, no, ConfigAnnotations.Self, here, () => here.Append("    ").Append(c.Name).Append(" { ... }\n"));
                    Walk(oo, no, c, childPath, nested);
                    break;
                case ListNode l:
                    CompareList(o as JsonArray, n as JsonArray, l, childPath, here, nested);
                    break;
                case LeafListNode ll:
                    var oldItems = (o as JsonArray ?? []).Select(x => x?.ToJsonString()).ToHashSet();
                    var newItems = (n as JsonArray ?? []).Select(x => x?.ToJsonString()).ToHashSet();
                    foreach (var item in (o as JsonArray ?? []).OfType<JsonNode>().Where(x => !newItems.Contains(x.ToJsonString())))
                        here.Append("-   ").Append(ll.Name).Append(' ').Append(TokenText.Quote(ll.Type.Format(item))).Append(";\n");
                    foreach (var item in (n as JsonArray ?? []).OfType<JsonNode>().Where(x => !oldItems.Contains(x.ToJsonString())))
                        here.Append("+   ").Append(ll.Name).Append(' ').Append(TokenText.Quote(ll.Type.Format(item))).Append(";\n");
                    break;
                default:
                    if (JsonNode.DeepEquals(o, n)) break;
                    if (o is not null) ConfigText.WriteMember(here, child, o, 0, "-   ");
                    if (n is not null) ConfigText.WriteMember(here, child, n, 0, "+   ");
                    break;
            }
        }
        if (here.Length > 0)
            output.Append(path.Length == 0 ? "[edit]\n" : $"[edit {path}]\n").Append(here);
        output.Append(nested);
    }

    static void CompareList(JsonArray? before, JsonArray? after, ListNode list, string path, StringBuilder here, StringBuilder nested)
    {
        var oldEntries = (before ?? []).OfType<JsonObject>().ToList();
        var newEntries = (after ?? []).OfType<JsonObject>().ToList();
        foreach (var e in oldEntries.Where(e => ConfigTree.FindEntry(after, ConfigText.KeyOf(e)) is null))
            ConfigText.WriteEntry(here, list, e, 0, "-   ");
        foreach (var e in newEntries)
        {
            string key = ConfigText.KeyOf(e);
            if (ConfigTree.FindEntry(before, key) is JsonObject old)
            {
                CompareComment(old, e, ConfigAnnotations.Self, here, () => here.Append("    ").Append(list.Name).Append(' ').Append(TokenText.Quote(key)).Append(" { ... }\n"));
                Walk(old, e, list, path + " " + TokenText.Quote(key), nested);
            }
            else ConfigText.WriteEntry(here, list, e, 0, "+   ");
        }
    }

    /// <summary>A changed annotation: its old and new comment, then the statement it is on (<paramref name="context"/>), unchanged.</summary>
    static void CompareComment(JsonObject? before, JsonObject? after, string member, StringBuilder here, Action? context)
    {
        string? was = ConfigAnnotations.Comment(before, member), now = ConfigAnnotations.Comment(after, member);
        if (was == now) return;
        if (was is not null) ConfigText.WriteComment(here, was, 0, "-   ");
        if (now is not null) ConfigText.WriteComment(here, now, 0, "+   ");
        context?.Invoke();
    }
}
