using System.Globalization;

namespace Cpe.Cli;

/// <summary>Keywords may be shortened to any unique prefix ("sh conf" is "show configuration").</summary>
public static class Keyword
{
    public static string Resolve(string typed, IEnumerable<string> choices, string where)
    {
        var list = choices.ToList();
        if (list.Contains(typed)) return typed;
        var matches = list.Where(c => c.StartsWith(typed, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new CliException($"syntax error: '{typed}' is not valid {where}; expected one of: {string.Join(", ", list)}") { Token = typed },
            _ => throw new CliException($"syntax error: '{typed}' is ambiguous {where}: {string.Join(", ", matches)}") { Token = typed },
        };
    }

    /// <summary>What <paramref name="typed"/> stands for among <paramref name="choices"/>, or null when nothing or several.</summary>
    public static string? TryResolve(string typed, IEnumerable<string> choices)
    {
        var list = choices.ToList();
        if (list.Contains(typed)) return typed;
        var matches = list.Where(c => c.StartsWith(typed, StringComparison.Ordinal)).Take(2).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    public static int Number(string typed, string what) =>
        int.TryParse(typed, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            ? n : throw new CliException($"syntax error: {what} expects a number, not '{typed}'");
}
