using System.Text.RegularExpressions;
using Cpe.TestKit;

namespace Cpe.UnitTests.Architecture;

/// <summary>
/// The layers of docs/architecture.md, read from the projects' references: a library never references a layer above
/// it. Each rule names a project and the projects it must not reach, directly or through another.
/// </summary>
[Trait("Kind", "Architecture")]
public partial class LayeringTests
{
    public static TheoryData<string, string[]> Rules => new()
    {
        // The board is hardware description and drivers: the network builds on its profile, not the other way round.
        { "Cpe.Board", ["Cpe.Api", "Cpe.Network", "Cpe.Netlink", "Cpe.Platform", "Cpe.Vnf"] },
        // The kernel layers know nothing of the product.
        { "Cpe.Interop", ["Cpe.Netlink", "Cpe.Network", "Cpe.Config", "Cpe.Api", "Cpe.Board", "Cpe.Vnf", "Cpe.Platform"] },
        { "Cpe.Netlink", ["Cpe.Network", "Cpe.Config", "Cpe.Api", "Cpe.Vnf", "Cpe.Platform"] },
        // The API's contracts are shared by cped, cpe and cpe-phonehome: no implementation behind them.
        { "Cpe.Api", ["Cpe.Platform", "Cpe.Network", "Cpe.Vnf", "Cpe.Board", "Cpe.Interop"] },
        // Product logic never reaches the composition root.
        { "Cpe.Network", ["Cpe.Platform", "Cpe.Vnf", "Cpe.Api"] },
        { "Cpe.Vnf", ["Cpe.Platform", "Cpe.Api"] },
        { "Cpe.Image", ["Cpe.Platform"] },
        { "Cpe.Phonehome", ["Cpe.Platform", "Cpe.Network", "Cpe.Vnf"] },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void A_library_does_not_reach_a_layer_above_it(string project, string[] above)
    {
        var graph = ReferenceGraph();
        Assert.True(graph.ContainsKey(project), $"no project {project}");
        var reached = Reachable(graph, project);
        var wrong = above.Where(reached.Contains).ToList();
        Assert.True(wrong.Count == 0, $"{project} reaches {string.Join(", ", wrong)}");
    }

    static HashSet<string> Reachable(Dictionary<string, List<string>> graph, string from)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var work = new Stack<string>(graph.GetValueOrDefault(from) ?? []);
        while (work.TryPop(out var next))
            if (seen.Add(next)) foreach (var r in graph.GetValueOrDefault(next) ?? []) work.Push(r);
        return seen;
    }

    /// <summary>Each product project's name and the names of the projects it references.</summary>
    static Dictionary<string, List<string>> ReferenceGraph() =>
        new[] { "platform", "board", "image", "phonehome", "vnf-runtime" }
            .SelectMany(f => Directory.EnumerateFiles(Path.Combine(Binaries.RepositoryRoot, f), "*.csproj", SearchOption.AllDirectories))
            .Where(p => !p.Contains("/obj/", StringComparison.Ordinal) && !p.Contains("/bin/", StringComparison.Ordinal))
            .ToDictionary(p => Path.GetFileNameWithoutExtension(p),
                p => ProjectReference().Matches(File.ReadAllText(p)).Select(m => Path.GetFileNameWithoutExtension(m.Groups[1].Value)).ToList(), StringComparer.Ordinal);

    [GeneratedRegex("<ProjectReference Include=\"([^\"]+)\"")]
    private static partial Regex ProjectReference();
}
