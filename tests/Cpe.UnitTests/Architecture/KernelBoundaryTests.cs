using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Cpe.TestKit;

namespace Cpe.UnitTests.Architecture;

/// <summary>
/// The kernel boundary of docs/architecture.md, checked over the product's source (DESIGN.md §8): native calls and
/// Tmds.LibC only in the interop library (platform/Cpe.Interop), no raw descriptor kept outside it, and a SAFETY note
/// on every unsafe block or member that runs unsafe code.
/// </summary>
[Trait("Kind", "Architecture")]
public partial class KernelBoundaryTests
{
    const string InteropLibrary = "platform/Cpe.Interop/";
    static readonly string[] ProductFolders = ["platform", "board", "image", "phonehome", "vnf-runtime"];

    [Fact]
    public void Native_declarations_and_Tmds_LibC_appear_only_in_the_interop_library()
    {
        var outside = SourceLines().Where(l => !l.File.StartsWith(InteropLibrary, StringComparison.Ordinal) && NativeAccess().IsMatch(l.Code))
            .Select(l => $"{l.File}:{l.Number}: {l.Text.Trim()}").ToList();
        Assert.True(outside.Count == 0, "native access outside the interop library:\n" + string.Join('\n', outside));
        var projects = Directory.EnumerateFiles(Binaries.RepositoryRoot, "*.csproj", SearchOption.AllDirectories)
            .Select(Relative).Where(p => ProductFolders.Any(f => p.StartsWith(f + "/", StringComparison.Ordinal)) && !p.StartsWith(InteropLibrary, StringComparison.Ordinal))
            .Where(p => File.ReadAllText(Path.Combine(Binaries.RepositoryRoot, p)).Contains("Include=\"Tmds.LibC\"", StringComparison.Ordinal)).ToList();
        Assert.True(projects.Count == 0, "Tmds.LibC referenced outside the interop library: " + string.Join(", ", projects));
    }

    [Fact]
    public void Every_Tmds_LibC_function_called_captures_its_errno()
    {
        // Libc.Errno reads the value the runtime captured after a call declared with SetLastError; a function declared
        // without it (Tmds.LibC 0.5's poll) would have a stale errno read as its own: such a function is declared in
        // Libc.cs instead.
        var called = SourceLines().Where(l => l.File.StartsWith(InteropLibrary, StringComparison.Ordinal))
            .SelectMany(l => TmdsCall().Matches(l.Code).Select(m => m.Groups[1].Value)).Distinct().ToList();
        Assert.Contains("socket", called);
        var uncaptured = called.Where(name => typeof(Tmds.Linux.LibC).GetMethods()
            .Any(m => m.Name == name && m.GetCustomAttribute<DllImportAttribute>() is { SetLastError: false })).ToList();
        Assert.True(uncaptured.Count == 0, "Tmds.LibC functions called without errno capture: " + string.Join(", ", uncaptured));
    }

    [Fact]
    public void No_raw_descriptor_is_kept_outside_the_interop_library()
    {
        var fields = SourceLines().Where(l => !l.File.StartsWith(InteropLibrary, StringComparison.Ordinal) && DescriptorField().IsMatch(l.Code))
            .Select(l => $"{l.File}:{l.Number}: {l.Text.Trim()}").ToList();
        Assert.True(fields.Count == 0, "raw descriptors held outside the interop library:\n" + string.Join('\n', fields));
    }

    [Fact]
    public void Every_unsafe_block_says_why_it_is_safe()
    {
        var unexplained = new List<string>();
        foreach (var file in SourceFiles())
        {
            var lines = File.ReadAllLines(Path.Combine(Binaries.RepositoryRoot, file));
            for (int i = 0; i < lines.Length; i++)
            {
                string code = CodeOf(lines[i]);
                // Declarations (a native function's pointer parameters, a struct with a fixed buffer) run nothing.
                if (!UnsafeKeyword().IsMatch(code) || NativeDeclaration().IsMatch(code) || code.Contains("unsafe struct", StringComparison.Ordinal)) continue;
                if (!Extent(lines, i).Any(l => l.Contains("SAFETY:", StringComparison.Ordinal))) unexplained.Add($"{file}:{i + 1}: {lines[i].Trim()}");
            }
        }
        Assert.True(unexplained.Count == 0, "unsafe without a SAFETY note:\n" + string.Join('\n', unexplained));
    }

    /// <summary>The few lines above an unsafe line and its body: to the brace that closes at its indentation.</summary>
    static IEnumerable<string> Extent(string[] lines, int at)
    {
        int indent = lines[at].Length - lines[at].TrimStart().Length;
        for (int i = Math.Max(0, at - 4); i <= at; i++) yield return lines[i];
        for (int i = at + 1; i < lines.Length && i < at + 80; i++)
        {
            yield return lines[i];
            if (lines[i].Trim() == "}" && lines[i].Length - lines[i].TrimStart().Length == indent) yield break;
        }
    }

    static IEnumerable<string> SourceFiles() =>
        ProductFolders.SelectMany(f => Directory.EnumerateFiles(Path.Combine(Binaries.RepositoryRoot, f), "*.cs", SearchOption.AllDirectories))
            .Select(Relative).Where(p => !p.Contains("/obj/", StringComparison.Ordinal) && !p.Contains("/bin/", StringComparison.Ordinal));

    static IEnumerable<(string File, int Number, string Text, string Code)> SourceLines() =>
        SourceFiles().SelectMany(f => File.ReadLines(Path.Combine(Binaries.RepositoryRoot, f)).Select((text, i) => (f, i + 1, text, CodeOf(text))));

    static string CodeOf(string line) => line.Split("//", 2)[0];

    static string Relative(string path) => Path.GetRelativePath(Binaries.RepositoryRoot, path).Replace('\\', '/');

    [GeneratedRegex(@"[\[.](LibraryImport|DllImport)(Attribute)?\s*\(|\busing Tmds\b|\bTmds\.Linux\b")]
    private static partial Regex NativeAccess();

    [GeneratedRegex(@"^\s*(private |internal |public )?(readonly )?(int|nint) _?(fd|descriptor)\b\s*[;=]")]
    private static partial Regex DescriptorField();

    [GeneratedRegex(@"\bLibC\.([a-z_0-9]+)\s*\(")]
    private static partial Regex TmdsCall();

    [GeneratedRegex(@"\bunsafe\b")]
    private static partial Regex UnsafeKeyword();

    [GeneratedRegex(@"\bpartial\b.*\(.*\)\s*;")]
    private static partial Regex NativeDeclaration();
}
