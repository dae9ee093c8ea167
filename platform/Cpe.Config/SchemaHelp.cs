using System.Text.Json.Nodes;
using Cpe.Config.Schema;

namespace Cpe.Config;

/// <summary>One thing a technician may type next, with what it means.</summary>
public sealed record Completion(string Token, string Description, bool IsPlaceholder = false);

/// <summary>
/// What may follow a partial configuration path: schema children, existing list keys,
/// enumerated values, or a placeholder naming the expected value. Drives "?" and Tab.
/// </summary>
public static class SchemaHelp
{
    /// <summary>Choices for the word after <paramref name="tokens"/>; <paramref name="withValues"/> for set.</summary>
    public static IReadOnlyList<Completion> Next(IReadOnlyList<string> tokens, JsonObject? tree, bool withValues)
    {
        ParentNode current = ConfigSchema.Root;
        JsonNode? node = tree;
        for (int i = 0; i < tokens.Count; i++)
        {
            var child = current.Child(tokens[i]);
            if (child is null) return [];
            node = (node as JsonObject)?[child.Name];
            switch (child)
            {
                case ContainerNode c:
                    current = c;
                    break;
                case ListNode l:
                    if (i + 1 == tokens.Count) return Keys(l, node as JsonArray);
                    node = ConfigTree.FindEntry(node as JsonArray, tokens[++i]);
                    current = l;
                    break;
                case LeafNode leaf:
                    return withValues && i + 1 == tokens.Count ? Values(leaf.Type, leaf.Description) : [];
                case LeafListNode ll:
                    if (i + 1 != tokens.Count) return [];
                    return withValues ? Values(ll.Type, ll.Description)
                        : (node as JsonArray ?? []).OfType<JsonNode>().Select(x => new Completion(ll.Type.Format(x), ll.Description)).ToList();
            }
        }
        return current.Children.Select(c => new Completion(c.Name, c.Description)).ToList();
    }

    static IReadOnlyList<Completion> Keys(ListNode list, JsonArray? existing)
    {
        var result = new List<Completion> { new(list.KeyType.Placeholder, list.Description, IsPlaceholder: true) };
        foreach (var e in (existing ?? []).OfType<JsonObject>())
            result.Add(new Completion(ConfigText.KeyOf(e), list.Description));
        return result;
    }

    static IReadOnlyList<Completion> Values(LeafType type, string description)
    {
        if (type.Choices.Count > 0) return type.Choices.Select(c => new Completion(c.Value, c.Description)).ToList();
        return [new Completion(type.Placeholder, description, IsPlaceholder: true)];
    }
}
