using System.Text;
using System.Text.RegularExpressions;

namespace Cpe.ImageBuilder;

/// <summary>
/// The shared libraries a program needs, found from the program itself: what the dynamic linker loads (ldd), and what
/// it opens by name at run time (.NET's crypto opens libssl by soname; System.Device.Gpio opens libgpiod): every
/// "libX.so.N" string in the binary that this machine's linker cache resolves, with what those load in turn.
/// </summary>
static partial class SharedLibraries
{
    public static SortedSet<string> Of(IEnumerable<string> programs)
    {
        var cache = LinkerCache();
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Queue<string>(programs);
        var visited = new HashSet<string>();
        while (pending.Count > 0)
        {
            string file = pending.Dequeue();
            if (!visited.Add(file)) continue;
            foreach (Match m in LddPath().Matches(Tool.Run("ldd", [file], check: false)))
                if (found.Add(m.Groups[1].Value)) pending.Enqueue(m.Groups[1].Value);
            foreach (var soname in Sonames(file))
                if (cache.TryGetValue(soname, out var path) && found.Add(path)) pending.Enqueue(path);
        }
        return found;
    }

    static IEnumerable<string> Sonames(string file)
    {
        var text = Encoding.Latin1.GetString(File.ReadAllBytes(file));
        return Soname().Matches(text).Select(m => m.Value).Distinct();
    }

    /// <summary>soname → path for x86-64 libraries, from ldconfig -p.</summary>
    static Dictionary<string, string> LinkerCache()
    {
        var cache = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in CacheLine().Matches(Tool.Run("/sbin/ldconfig", ["-p"])))
            cache.TryAdd(m.Groups[1].Value, m.Groups[2].Value);
        return cache;
    }

    [GeneratedRegex(@"(/\S+\.so[\w.\-]*)")]
    private static partial Regex LddPath();

    [GeneratedRegex(@"(?<![\x21-\x7e])lib[A-Za-z0-9_+\-]+\.so(\.[0-9]+)+(?![\x21-\x7e])")]
    private static partial Regex Soname();

    [GeneratedRegex(@"^\s+(\S+) \(libc6,x86-64[^)]*\) => (\S+)$", RegexOptions.Multiline)]
    private static partial Regex CacheLine();
}
