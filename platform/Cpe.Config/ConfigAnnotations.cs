using System.Text.Json.Nodes;
using Cpe.Config.Schema;

namespace Cpe.Config;

/// <summary>
/// Comments on statements ("annotate"), kept in the tree as RFC 7952 metadata, as Junos's JSON carries them: a member
/// <c>"@": {"comment": "…"}</c> inside a container or list entry for that statement, <c>"@NAME": {"comment": "…"}</c>
/// beside a leaf or leaf-list. Shown as <c>/* … */</c> above the statement; not part of "| display set"; nothing that
/// applies the configuration reads them.
/// </summary>
public static class ConfigAnnotations
{
    public const string Self = "@";
    public const int MaxLength = 1024;

    public static bool IsAnnotation(string member) => member.StartsWith('@');

    /// <summary>The comment a member holds (<see cref="Self"/> in an object, or "@NAME" beside a leaf), or null.</summary>
    public static string? Comment(JsonObject? holder, string member) =>
        holder?[member] is JsonObject a && a["comment"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    /// <summary>
    /// Puts <paramref name="comment"/> on the statement <paramref name="path"/> names, replacing what was there; an empty
    /// comment removes it. The statement must be configured: a comment on nothing would be shown nowhere.
    /// </summary>
    public static void Annotate(JsonObject root, ConfigPath path, string comment)
    {
        if (path.IsRoot) throw new ConfigException("", "syntax error: annotate needs a statement and a comment");
        if (path.Steps[^1] is { Node: ListNode list, Key: null })
            throw new ConfigException(path.ToString(), $"annotate an entry of the list: {path} {list.KeyType.Placeholder}");
        if (Problem(comment) is string problem) throw new ConfigException(path.ToString(), problem);
        var (holder, member) = Locate(root, path) ?? throw new ConfigException(path.ToString(), "statement not found: annotate what is configured");
        if (comment.Length == 0) holder.Remove(member);
        else holder[member] = new JsonObject { ["comment"] = comment };
    }

    /// <summary>Why a comment cannot be kept (too long, control characters, or "*/", which would end it early when shown), or null.</summary>
    public static string? Problem(string comment) =>
        comment.Length > MaxLength ? $"a comment has at most {MaxLength} characters"
        : comment.Contains("*/", StringComparison.Ordinal) ? "a comment cannot contain '*/'"
        : SafeText.Problem(comment) is string p ? "the comment " + p
        : null;

    /// <summary>What is wrong with annotation member <paramref name="name"/> of <paramref name="obj"/> (validated beside the schema), or null.</summary>
    public static string? Problem(string name, JsonNode? value, JsonObject obj, ParentNode schema)
    {
        if (value is not JsonObject { Count: 1 } a || a["comment"] is not JsonValue v || !v.TryGetValue(out string? comment))
            return "an annotation is {\"comment\": \"text\"}";
        if (name != Self && (schema.Child(name[1..]) is not (LeafNode or LeafListNode) || obj[name[1..]] is null))
            return $"annotates '{name[1..]}', which is not a configured leaf here";
        return Problem(comment);
    }

    /// <summary>The object that holds the statement's annotation, and the member it goes in; null when the statement is not configured.</summary>
    static (JsonObject Holder, string Member)? Locate(JsonObject root, ConfigPath path)
    {
        JsonObject parent = root;
        for (int i = 0; i < path.Steps.Count; i++)
        {
            var step = path.Steps[i];
            JsonNode? next = parent[step.Node.Name];
            if (i == path.Steps.Count - 1 && step.Node is LeafNode or LeafListNode)
                return next is null ? null : (parent, Self + step.Node.Name);
            if (step.Key is not null) next = ConfigTree.FindEntry(next as JsonArray, step.Key);
            if (next is not JsonObject o) return null;
            parent = o;
        }
        return (parent, Self);
    }
}
