namespace Cpe.Image.Slots;

/// <summary>The kernel command line's name=value words (as in a boot entry's options line, or /proc/cmdline).</summary>
public static class CommandLine
{
    /// <summary>The value of the first <paramref name="name"/>= word, or null.</summary>
    public static string? Value(string line, string name) =>
        line.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w.Length > name.Length && w.StartsWith(name, StringComparison.Ordinal) && w[name.Length] == '=')
            .Select(w => w[(name.Length + 1)..]).FirstOrDefault();
}
