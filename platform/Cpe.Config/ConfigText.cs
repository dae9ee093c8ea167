using System.Text;
using System.Text.Json.Nodes;
using Cpe.Config.Schema;

namespace Cpe.Config;

/// <summary>Renders a tree the two ways the CLI shows configuration: braces, and "set" commands.</summary>
public static class ConfigText
{
    /// <summary>Junos-style hierarchy: "system {", "    host-name site-17;", "}".</summary>
    public static string Hierarchy(JsonNode? node, SchemaNode schema, int indent = 0)
    {
        var sb = new StringBuilder();
        WriteBody(sb, node, schema, indent, "");
        return sb.ToString();
    }

    /// <summary>Writes the members of <paramref name="node"/> (a container, entry, leaf or leaf-list).</summary>
    internal static void WriteBody(StringBuilder sb, JsonNode? node, SchemaNode schema, int indent, string mark)
    {
        switch (schema)
        {
            case ParentNode parent when node is JsonObject obj:
                foreach (var child in parent.Children)
                {
                    if (obj[child.Name] is not JsonNode value) continue;
                    if (child is LeafNode or LeafListNode) WriteComment(sb, ConfigAnnotations.Comment(obj, ConfigAnnotations.Self + child.Name), indent, mark);
                    WriteMember(sb, child, value, indent, mark);
                }
                break;
            case ListNode list when node is JsonArray array:
                foreach (var e in array.OfType<JsonObject>()) WriteEntry(sb, list, e, indent, mark);
                break;
            case LeafNode or LeafListNode:
                if (node is not null) WriteMember(sb, schema, node, indent, mark);
                break;
        }
    }

    internal static void WriteMember(StringBuilder sb, SchemaNode schema, JsonNode value, int indent, string mark)
    {
        string pad = mark + new string(' ', indent * 4);
        switch (schema)
        {
            case ContainerNode c:
                WriteComment(sb, ConfigAnnotations.Comment(value as JsonObject, ConfigAnnotations.Self), indent, mark);
                sb.Append(pad).Append(c.Name).Append(" {\n");
                WriteBody(sb, value, c, indent + 1, mark);
                sb.Append(pad).Append("}\n");
                break;
            case ListNode l:
                foreach (var e in (value as JsonArray ?? []).OfType<JsonObject>()) WriteEntry(sb, l, e, indent, mark);
                break;
            case LeafNode leaf:
                sb.Append(pad).Append(leaf.Name).Append(' ').Append(TokenText.Quote(leaf.Type.Format(value))).Append(";\n");
                break;
            case LeafListNode ll:
                foreach (var item in (value as JsonArray ?? []).OfType<JsonNode>())
                    sb.Append(pad).Append(ll.Name).Append(' ').Append(TokenText.Quote(ll.Type.Format(item))).Append(";\n");
                break;
        }
    }

    internal static void WriteEntry(StringBuilder sb, ListNode list, JsonObject entry, int indent, string mark)
    {
        string pad = mark + new string(' ', indent * 4);
        string key = TokenText.Quote(KeyOf(entry));
        WriteComment(sb, ConfigAnnotations.Comment(entry, ConfigAnnotations.Self), indent, mark);
        bool empty = entry.All(kv => kv.Key == ListNode.KeyMember || kv.Key == ConfigAnnotations.Self);
        if (empty) { sb.Append(pad).Append(list.Name).Append(' ').Append(key).Append(";\n"); return; }
        sb.Append(pad).Append(list.Name).Append(' ').Append(key).Append(" {\n");
        WriteBody(sb, entry, list, indent + 1, mark);
        sb.Append(pad).Append("}\n");
    }

    /// <summary>An annotation, as Junos shows it above its statement.</summary>
    internal static void WriteComment(StringBuilder sb, string? comment, int indent, string mark)
    {
        if (comment is not null) sb.Append(mark).Append(' ', indent * 4).Append("/* ").Append(comment).Append(" */\n");
    }

    /// <summary>One "set" line per leaf value, empty container and list entry, in schema order.</summary>
    public static IReadOnlyList<string> SetCommands(JsonNode? node, ConfigPath at)
    {
        var lines = new List<string>();
        string prefix = at.IsRoot ? "set" : "set " + at;
        WriteSets(lines, node, at.Target, prefix, at.Steps.Count > 0 && at.Steps[^1].Key is null && at.Target is ListNode);
        return lines;
    }

    static void WriteSets(List<string> lines, JsonNode? node, SchemaNode schema, string prefix, bool isWholeList)
    {
        switch (schema)
        {
            case ListNode l when isWholeList && node is JsonArray array:
                foreach (var e in array.OfType<JsonObject>())
                    WriteSets(lines, e, l, prefix + " " + TokenText.Quote(KeyOf(e)), false);
                break;
            case ParentNode parent when node is JsonObject obj:
                int before = lines.Count;
                foreach (var child in parent.Children)
                {
                    if (obj[child.Name] is not JsonNode value) continue;
                    string p = prefix + " " + child.Name;
                    if (child is LeafNode leaf) lines.Add(p + " " + TokenText.Quote(leaf.Type.Format(value)));
                    else WriteSets(lines, value, child, p, child is ListNode);
                }
                if (lines.Count == before && prefix != "set") lines.Add(prefix);
                break;
            case LeafListNode ll when node is JsonArray items:
                foreach (var item in items.OfType<JsonNode>()) lines.Add(prefix + " " + TokenText.Quote(ll.Type.Format(item)));
                break;
            case LeafNode leaf when node is not null:
                lines.Add(prefix + " " + TokenText.Quote(leaf.Type.Format(node)));
                break;
        }
    }

    internal static string KeyOf(JsonObject entry) =>
        entry[ListNode.KeyMember] is JsonValue v && v.TryGetValue(out string? k) ? k : "";
}
