namespace Cpe.Config;

/// <summary>How CLI words are split and quoted: double quotes group words, backslash escapes.</summary>
public static class TokenText
{
    public static string Quote(string token) =>
        token.Length > 0 && !token.Any(c => char.IsWhiteSpace(c) || c is '"' or '\\' or ';' or '|' or '{' or '}')
            ? token
            : "\"" + token.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";

    /// <summary>Splits a line into words. An unterminated quote is an error.</summary>
    public static List<string> Split(string line)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        bool inWord = false, quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '\\' && i + 1 < line.Length)
                {
                    char n = line[++i];
                    current.Append(n == 'n' ? '\n' : n);
                }
                else if (c == '"') quoted = false;
                else current.Append(c);
            }
            else if (c == '"') { quoted = true; inWord = true; }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) { words.Add(current.ToString()); current.Clear(); inWord = false; }
            }
            else { current.Append(c); inWord = true; }
        }
        if (quoted) throw new ConfigException("", "syntax error: missing closing quote");
        if (inWord) words.Add(current.ToString());
        return words;
    }

    /// <summary>Splits text on <paramref name="separator"/> where it is not inside double quotes (";" between commands, "|" before pipes).</summary>
    public static List<string> SplitOutsideQuotes(string text, char separator)
    {
        var parts = new List<string>();
        bool quoted = false;
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && quoted) { i++; continue; }
            if (text[i] == '"') quoted = !quoted;
            else if (text[i] == separator && !quoted) { parts.Add(text[start..i]); start = i + 1; }
        }
        parts.Add(text[start..]);
        return parts;
    }
}
