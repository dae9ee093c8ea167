using System.Text.RegularExpressions;

namespace Cpe.Cli.Output;

/// <summary>What follows "|" on a command line.</summary>
public abstract record PipeStage
{
    public sealed record Match(Regex Pattern) : PipeStage;
    public sealed record Except(Regex Pattern) : PipeStage;
    public sealed record Count : PipeStage;
    public sealed record Last(int Lines) : PipeStage;
    public sealed record NoMore : PipeStage;
    public sealed record DisplayJson : PipeStage;
    public sealed record DisplaySet : PipeStage;
    /// <summary>Only after "show" in configuration mode: the candidate against active or rollback N.</summary>
    public sealed record Compare(int? Rollback) : PipeStage;
    /// <summary>Writes the output to a file instead of the screen; the last stage.</summary>
    public sealed record Save(string Path) : PipeStage;

    public static readonly IReadOnlyList<(string Word, string Help)> Words =
    [
        ("compare", "Compare the candidate with the active configuration or a rollback"),
        ("count", "Count the lines of output"),
        ("display", "Show configuration as 'json' or 'set' commands"),
        ("except", "Show only lines that do not match a regular expression (any case)"),
        ("last", "Show only the last lines (10, or the number given)"),
        ("match", "Show only lines that match a regular expression (any case)"),
        ("no-more", "Do not page the output"),
        ("save", "Write the output to a file (as it would be shown: whole lines, not fitted to the screen)"),
    ];

    /// <summary>Parses one stage's words, e.g. ["match", "host"]; keywords may be abbreviated.</summary>
    public static PipeStage Parse(IReadOnlyList<string> words)
    {
        if (words.Count == 0) throw new CliException("syntax error: expected a command after '|'");
        string verb = Keyword.Resolve(words[0], Words.Select(w => w.Word), "after '|'");
        return verb switch
        {
            "match" => new Match(Regex(words, verb)),
            "except" => new Except(Regex(words, verb)),
            "count" when words.Count == 1 => new Count(),
            "last" when words.Count == 1 => new Last(10),
            "last" when words.Count == 2 => Keyword.Number(words[1], "'| last'") is > 0 and var n ? new Last(n)
                : throw new CliException("syntax error: '| last' needs a number of lines from 1 up"),
            "no-more" when words.Count == 1 => new NoMore(),
            "display" when words.Count == 2 => Keyword.Resolve(words[1], ["json", "set"], "after 'display'") == "json"
                ? new DisplayJson() : new DisplaySet(),
            "save" when words.Count == 2 => new Save(words[1]),
            "save" => throw new CliException("syntax error: '| save' needs a file name"),
            "compare" when words.Count == 1 => new Compare(null),
            "compare" when words.Count == 3 && Keyword.Resolve(words[1], ["rollback"], "after 'compare'") == "rollback"
                => new Compare(Keyword.Number(words[2], "rollback")),
            _ => throw new CliException($"syntax error: '| {string.Join(' ', words)}'"),
        };
    }

    static Regex Regex(IReadOnlyList<string> words, string verb)
    {
        if (words.Count != 2) throw new CliException($"syntax error: '| {verb}' needs one regular expression (quote it if it has spaces)");
        // Any case, as Junos matches: "| match error" finds "Error" too.
        try { return new System.Text.RegularExpressions.Regex(words[1], RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1)); }
        catch (ArgumentException e) { throw new CliException($"bad regular expression '{words[1]}': {e.Message}"); }
    }

    /// <summary>Applies the line filters (match, except, last, count) to command output.</summary>
    public static string Filter(string text, IEnumerable<PipeStage> stages)
    {
        foreach (var stage in stages)
        {
            var lines = text.Split('\n').ToList();
            if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
            text = stage switch
            {
                Match m => Join(lines.Where(l => m.Pattern.IsMatch(l))),
                Except e => Join(lines.Where(l => !e.Pattern.IsMatch(l))),
                Count => $"Count: {lines.Count} lines\n",
                Last l => Join(lines.TakeLast(l.Lines)),
                _ => text,
            };
        }
        return text;
    }

    static string Join(IEnumerable<string> lines)
    {
        var s = string.Join('\n', lines);
        return s.Length == 0 ? "" : s + "\n";
    }
}
