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

    /// <summary>
    /// Splits a Junos-style chained "set" into its statements: after a leaf's value, further words
    /// continue at that leaf's level ("user ann class admin full-name Ann" is two statements).
    /// </summary>
    public static IReadOnlyList<ConfigPath> ParseStatements(IReadOnlyList<string> tokens)
    {
        var statements = new List<ConfigPath>();
        var prefix = new List<string>();
        int start = 0;
        while (true)
        {
            var words = prefix.Concat(tokens.Skip(start)).ToList();
            int consumed = LengthOfFirstStatement(words);
            var path = Parse(words.Take(consumed).ToList(), allowValue: true);
            statements.Add(path);
            if (consumed >= words.Count) return statements;
            // The next statement starts at the parent of the leaf just set.
            start += consumed - prefix.Count;
            prefix = path.Steps.Take(path.Steps.Count - 1).SelectMany(s => s.Key is null ? [s.Node.Name] : new[] { s.Node.Name, s.Key }).ToList();
        }
    }

    /// <summary>How many words make the first statement: up to and including a leaf's value.</summary>
    static int LengthOfFirstStatement(IReadOnlyList<string> words)
    {
        ParentNode current = ConfigSchema.Root;
        for (int i = 0; i < words.Count; i++)
        {
            switch (current.Child(words[i]))
            {
                case ContainerNode c: current = c; break;
                case ListNode l: i++; current = l; break;
                case LeafNode or LeafListNode: return Math.Min(words.Count, i + 2);
                default: return words.Count;   // let Parse report the error
            }
        }
        return words.Count;
    }

    static string Join(string a, string b) => a.Length == 0 ? b : a + " " + b;
}
