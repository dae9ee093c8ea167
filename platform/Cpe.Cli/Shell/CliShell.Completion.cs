using System.Text;
using Cpe.Cli.Output;
using Cpe.Config;

namespace Cpe.Cli.Shell;

// "?" and Tab: what may come next, from the command grammar and the configuration schema.
public sealed partial class CliShell
{
    /// <summary>The choices for the word being typed, and that partial word.</summary>
    public (IReadOnlyList<Completion> Choices, string Partial) Choices(string before)
    {
        List<string> words;
        try { words = TokenText.Split(before); }
        catch (ConfigException) { return ([], ""); }
        bool atNewWord = before.Length == 0 || char.IsWhiteSpace(before[^1]);
        string partial = atNewWord || words.Count == 0 ? "" : words[^1];
        if (!atNewWord && words.Count > 0) words.RemoveAt(words.Count - 1);

        // After a pipe: the pipe commands.
        int pipe = words.LastIndexOf("|");
        var all = (pipe >= 0 ? words.Skip(pipe + 1) : words).ToList();
        IReadOnlyList<Completion> choices = pipe >= 0 || before.TrimEnd().EndsWith('|')
            ? PipeChoices(all)
            : CommandChoices(_configuring ? Grammar.Configuration : Grammar.Operational, all);
        var matching = choices.Where(c => c.IsPlaceholder || c.Token.StartsWith(partial, StringComparison.Ordinal)).ToList();
        return (matching, partial);
    }

    IReadOnlyList<Completion> CommandChoices(Cmd[] level, List<string> words)
    {
        for (int i = 0; i < words.Count; i++)
        {
            var cmd = level.FirstOrDefault(c => c.Name == words[i])
                ?? level.Where(c => c.Name.StartsWith(words[i], StringComparison.Ordinal)).SingleOrDefaultIfMany();
            if (cmd is null) return [];
            var rest = words.Skip(i + 1).ToList();
            if (cmd.Name == "commit" && _configuring && level == Grammar.Configuration) return CommitChoices(rest);
            if (cmd.Arg != ArgKind.None) return ArgChoices(cmd, rest);
            level = cmd.Children;
        }
        return level.Select(c => new Completion(c.Name, c.Help)).ToList();
    }

    IReadOnlyList<Completion> ArgChoices(Cmd cmd, List<string> rest)
    {
        switch (cmd.Arg)
        {
            case ArgKind.SetPath:
            case ArgKind.CandidatePath:
            case ArgKind.ActivePath:
                var path = (cmd.Arg == ArgKind.ActivePath ? rest : _editPath.Concat(rest)).ToList();
                var next = SchemaHelp.Next(path, _tree, withValues: cmd.Arg == ArgKind.SetPath).ToList();
                if (cmd.Arg == ArgKind.SetPath && path.Count > 0 && path[^1] == "authentication")
                    next.Add(new Completion("plain-text-password", "Ask for a password and store only its hash"));
                if (cmd.Arg != ArgKind.SetPath) next.Add(new Completion("|", "Pipe the output through a filter", IsPlaceholder: true));
                return next;
            case ArgKind.Operational:
                return CommandChoices(Grammar.Operational.Where(c => c.Name == "show").ToArray(), rest);
            case ArgKind.Probe:
                return ProbeChoices(cmd, rest);
            default:
                return rest.Count == 0 ? [new Completion(cmd.ArgHelp.Split(' ')[0], cmd.ArgHelp, IsPlaceholder: true)] : [];
        }
    }

    /// <summary>After ping or traceroute: the host, then the options not given yet, or the value the last option needs.</summary>
    static IReadOnlyList<Completion> ProbeChoices(Cmd cmd, List<string> rest)
    {
        static Completion Placeholder(string argHelp) => new(argHelp.Split(' ')[0], argHelp, IsPlaceholder: true);
        if (rest.Count == 0) return [Placeholder(cmd.ArgHelp)];
        var used = new HashSet<string>();
        Cmd? owed = null;
        foreach (string word in rest.Skip(1))
        {
            if (owed is not null) { owed = null; continue; }
            if (Keyword.TryResolve(word, cmd.Children.Select(c => c.Name)) is not string name) return [];
            used.Add(name);
            var option = cmd.Children.First(c => c.Name == name);
            if (option.Arg != ArgKind.None) owed = option;
        }
        return owed is not null ? [Placeholder(owed.ArgHelp)] : cmd.Children.Where(c => !used.Contains(c.Name)).Select(c => new Completion(c.Name, c.Help)).ToList();
    }

    static IReadOnlyList<Completion> CommitChoices(List<string> rest)
    {
        if (rest.Count > 0 && Grammar.CommitOptions.FirstOrDefault(o => o.Name == rest[^1]) is { Arg: not ArgKind.None } needsArg)
            return [new Completion(needsArg.ArgHelp.Split(' ')[0], needsArg.ArgHelp, IsPlaceholder: true)];
        return Grammar.CommitOptions.Where(o => !rest.Contains(o.Name)).Select(o => new Completion(o.Name, o.Help)).ToList();
    }

    static IReadOnlyList<Completion> PipeChoices(List<string> words) => words.Count switch
    {
        0 => PipeStage.Words.Select(w => new Completion(w.Word, w.Help)).ToList(),
        1 when words[0] == "display" => [new("json", "As a JSON document"), new("set", "As set commands")],
        1 when words[0] is "match" or "except" => [new Completion("<regex>", "Regular expression (quote it if it has spaces)", IsPlaceholder: true)],
        1 when words[0] == "compare" => [new Completion("rollback", "Compare with revision N")],
        1 when words[0] == "save" => [new Completion("<file>", "File to write, e.g. /tmp/arp.txt (replaced if it exists)", IsPlaceholder: true)],
        1 when words[0] == "last" => [new Completion("<lines>", "How many lines from the end (default 10)", IsPlaceholder: true)],
        _ => [],
    };

    /// <summary>Tab: the rest of the word when there is one answer (or a common prefix); otherwise list the choices.</summary>
    string? CompleteLine(string before)
    {
        var (choices, partial) = Choices(before);
        var words = choices.Where(c => !c.IsPlaceholder).Select(c => c.Token).ToList();
        if (words.Count == 1) return words[0][partial.Length..] + " ";
        string common = CommonPrefix(words);
        if (common.Length > partial.Length) return common[partial.Length..];
        io.Write("\n");
        PrintChoices(choices);
        return null;
    }

    void ShowHelp(string before)
    {
        var (choices, _) = Choices(before);
        if (choices.Count == 0) { io.Write("No valid completions\n"); return; }
        PrintChoices(choices);
    }

    void PrintChoices(IReadOnlyList<Completion> choices)
    {
        var sb = new StringBuilder("Possible completions:\n");
        int width = Math.Min(24, choices.Max(c => c.Token.Length) + 2);
        foreach (var c in choices)
        {
            string token = c.Token.PadRight(width);
            sb.Append("  ").Append(token).Append(' ').Append(c.Description).Append('\n');
        }
        io.Write(sb.ToString());
    }

    static string CommonPrefix(List<string> words)
    {
        if (words.Count == 0) return "";
        string p = words[0];
        foreach (var w in words.Skip(1))
        {
            int n = 0;
            while (n < p.Length && n < w.Length && p[n] == w[n]) n++;
            p = p[..n];
        }
        return p;
    }
}

static class EnumerableExtensions
{
    /// <summary>The one element, or null when there are none or several.</summary>
    public static T? SingleOrDefaultIfMany<T>(this IEnumerable<T> source) where T : class
    {
        T? found = null;
        foreach (var item in source)
        {
            if (found is not null) return null;
            found = item;
        }
        return found;
    }
}
