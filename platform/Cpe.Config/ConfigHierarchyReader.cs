using System.Text;
using System.Text.Json.Nodes;

namespace Cpe.Config;

/// <summary>
/// Reads configuration in the Junos curly-brace form ("system { host-name site-17; }"), as `show configuration`
/// prints it and technicians paste it: each statement becomes a "set" of its path, so every value is checked by the
/// same rules as a typed "set". Leaf-lists may be written "server [ a b ];". Comments ("/* … */", and "#" to the end
/// of a line) are skipped. A mistake names its line.
/// </summary>
public static class ConfigHierarchyReader
{
    /// <summary>The document <paramref name="text"/> describes, under <paramref name="at"/> (the edit level) as its root.</summary>
    public static JsonObject Parse(string text, IReadOnlyList<string> at)
    {
        var root = new JsonObject();
        var tokens = Tokenize(text);
        int next = 0;
        Block(tokens, ref next, [.. at], root, top: true);
        var path = ConfigPath.Parse(at, allowValue: false);
        if (path.IsRoot) return root;
        return ConfigTree.Get(root, path) is JsonObject level ? (JsonObject)level.DeepClone() : [];
    }

    sealed record Token(string Text, bool Quoted, int Line)
    {
        public bool Is(string symbol) => !Quoted && Text == symbol;
    }

    /// <summary>Statements until the closing brace of this block (or the end, at the top).</summary>
    static void Block(List<Token> tokens, ref int next, List<string> path, JsonObject root, bool top)
    {
        var words = new List<Token>();
        while (next < tokens.Count)
        {
            var t = tokens[next++];
            if (t.Is("{"))
            {
                if (words.Count == 0) throw Error(t.Line, "'{' with no statement before it");
                int opened = t.Line;
                var inner = new List<string>(path);
                inner.AddRange(words.Select(w => w.Text));
                int before = next;
                Block(tokens, ref next, inner, root, top: false);
                // An empty block ("vnfs { }") still says that the container exists.
                if (next == before + 1) Set(root, inner, opened);
                words.Clear();
            }
            else if (t.Is("}"))
            {
                if (top) throw Error(t.Line, "'}' with no '{' to close");
                if (words.Count > 0) throw Error(t.Line, $"missing ';' after '{string.Join(' ', words.Select(w => w.Text))}'");
                return;
            }
            else if (t.Is(";"))
            {
                if (words.Count > 0) Statement(root, path, words);
                words.Clear();
            }
            else words.Add(t);
        }
        if (!top) throw Error(tokens.Count > 0 ? tokens[^1].Line : 1, "missing '}' at the end");
        if (words.Count > 0) throw Error(words[^1].Line, $"missing ';' after '{string.Join(' ', words.Select(w => w.Text))}'");
    }

    /// <summary>One statement: "host-name x", or "server [ a b ]" (one "set" per item).</summary>
    static void Statement(JsonObject root, List<string> path, List<Token> words)
    {
        int open = words.FindIndex(w => w.Is("["));
        if (open < 0)
        {
            Set(root, [.. path, .. words.Select(w => w.Text)], words[0].Line);
            return;
        }
        if (!words[^1].Is("]")) throw Error(words[open].Line, "missing ']'");
        var head = words[..open].Select(w => w.Text).ToList();
        foreach (var item in words[(open + 1)..^1]) Set(root, [.. path, .. head, item.Text], item.Line);
    }

    static void Set(JsonObject root, List<string> words, int line)
    {
        try
        {
            foreach (var statement in ConfigPath.ParseStatements(words)) ConfigTree.Set(root, statement);
        }
        catch (ConfigException e) { throw Error(line, e.Message); }
    }

    static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        int line = 1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n') { line++; continue; }
            if (char.IsWhiteSpace(c)) continue;
            if (c == '#') { while (i + 1 < text.Length && text[i + 1] != '\n') i++; continue; }
            if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                int end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0) throw Error(line, "a '/*' comment is not closed");
                line += text.AsSpan(i, end - i).Count('\n');
                i = end + 1;
                continue;
            }
            if (c is '{' or '}' or ';' or '[' or ']') { tokens.Add(new Token(c.ToString(), false, line)); continue; }
            var word = new StringBuilder();
            if (c == '"')
            {
                int start = line;
                for (i++; ; i++)
                {
                    if (i >= text.Length) throw Error(start, "missing closing quote");
                    if (text[i] == '"') break;
                    if (text[i] == '\\' && i + 1 < text.Length) { i++; word.Append(text[i] == 'n' ? '\n' : text[i]); continue; }
                    if (text[i] == '\n') line++;
                    word.Append(text[i]);
                }
                tokens.Add(new Token(word.ToString(), true, start));
                continue;
            }
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('{' or '}' or ';' or '[' or ']' or '"')) word.Append(text[i++]);
            i--;
            tokens.Add(new Token(word.ToString(), false, line));
        }
        return tokens;
    }

    static ConfigException Error(int line, string message) => new("", $"line {line}: {message}");
}
