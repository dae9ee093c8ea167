using Cpe.Config.Schema;

namespace Cpe.Config;

/// <summary>One step of a resolved path: a schema node, and for a list the entry's key.</summary>
public sealed record PathStep(SchemaNode Node, string? Key = null);

/// <summary>
/// CLI tokens ("system login user bob class admin") resolved against the schema: the nodes
/// walked, and the trailing value for a leaf or leaf-list when one was given.
/// </summary>
public sealed class ConfigPath
{
    public IReadOnlyList<PathStep> Steps { get; }
    public string? Value { get; }

    ConfigPath(IReadOnlyList<PathStep> steps, string? value) { Steps = steps; Value = value; }

    public static readonly ConfigPath Root = new([], null);

    public SchemaNode Target => Steps.Count == 0 ? ConfigSchema.Root : Steps[^1].Node;

    public bool IsRoot => Steps.Count == 0;

    /// <summary>The path as a technician types it, without the value: "system login user bob".</summary>
    public IReadOnlyList<string> Tokens => Steps.SelectMany(s => s.Key is null ? [s.Node.Name] : new[] { s.Node.Name, s.Key }).ToList();

    public override string ToString() => string.Join(' ', Tokens.Select(TokenText.Quote));

    /// <summary>Resolves tokens; a value is accepted after a leaf or leaf-list only when <paramref name="allowValue"/>.</summary>
    public static ConfigPath Parse(IReadOnlyList<string> tokens, bool allowValue)
    {
        var steps = new List<PathStep>();
        ParentNode current = ConfigSchema.Root;
        for (int i = 0; i < tokens.Count; i++)
        {
            string token = tokens[i];
            string where = string.Join(' ', tokens.Take(i).Select(TokenText.Quote));
            var child = current.Child(token) ?? throw new ConfigException(where,
                $"syntax error: '{token}' is not valid here; expected one of: {string.Join(", ", current.Children.Select(c => c.Name))}");
            switch (child)
            {
                case ContainerNode c:
                    steps.Add(new PathStep(c));
                    current = c;
                    break;
                case ListNode l:
                    if (i + 1 >= tokens.Count) { steps.Add(new PathStep(l)); return new ConfigPath(steps, null); }
                    string key = tokens[++i];
                    if (l.KeyType.Parse(key) is null)
                        throw new ConfigException(Join(where, l.Name), $"'{key}' {l.KeyType.Rule}");
                    steps.Add(new PathStep(l, key));
                    current = l;
                    break;
                case LeafNode or LeafListNode:
                    steps.Add(new PathStep(child));
                    if (i + 1 >= tokens.Count) return new ConfigPath(steps, null);
                    if (!allowValue || i + 2 < tokens.Count)
                        throw new ConfigException(Join(where, child.Name),
                            $"syntax error: unexpected '{tokens[allowValue ? i + 2 : i + 1]}'");
                    return new ConfigPath(steps, tokens[i + 1]);
            }
        }
        return new ConfigPath(steps, null);
    }

    /// <summary>Appends tokens to this path (the CLI's edit level plus what was typed).</summary>
    public static ConfigPath Parse(IEnumerable<string> prefix, IReadOnlyList<string> tokens, bool allowValue) =>
        Parse(prefix.Concat(tokens).ToList(), allowValue);

    static string Join(string a, string b) => a.Length == 0 ? b : a + " " + b;
}
