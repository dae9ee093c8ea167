using System.Reflection;
using System.Runtime.Loader;
using Cpe.Config.Schema;

namespace Cpe.UnitTests.Config;

/// <summary>
/// The schema's nodes are static fields of nested classes that readers touch in any order (cped's first reconcile reads
/// NetworkSchema.Bridge.List before anything reads ConfigSchema.Root). Each case loads the schema afresh, in an
/// assembly load context of its own, touches one section class first and then checks that the whole tree has every
/// child: an initialisation cycle would leave a container with a null child (it did once: config.set failed with a
/// NullReferenceException on the box).
/// </summary>
[Trait("Kind", "Unit")]
public class SchemaInitializationTests
{
    public static TheoryData<string> Sections => new()
    {
        "Cpe.Config.Schema.NetworkSchema+Port", "Cpe.Config.Schema.NetworkSchema+Bridge", "Cpe.Config.Schema.NetworkSchema+Vf",
        "Cpe.Config.Schema.NetworkSchema+Pf", "Cpe.Config.Schema.VnfSchema+Vnf", "Cpe.Config.Schema.VnfSchema+Chain",
        "Cpe.Config.Schema.VnfSchema+Match", "Cpe.Config.Schema.ConfigSchema",
    };

    [Theory]
    [MemberData(nameof(Sections))]
    public void Whichever_section_is_touched_first_the_tree_is_whole(string first)
    {
        var context = new AssemblyLoadContext("schema-" + first, isCollectible: true);
        try
        {
            var assembly = context.LoadFromAssemblyPath(typeof(ConfigSchema).Assembly.Location);
            var type = assembly.GetType(first, throwOnError: true)!;
            System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(type.TypeHandle);
            var root = assembly.GetType("Cpe.Config.Schema.ConfigSchema", true)!.GetField("Root")!.GetValue(null)!;
            var holes = new List<string>();
            Walk(root, "", holes);
            Assert.True(holes.Count == 0, $"touched {first} first; null children under: {string.Join(", ", holes)}");
        }
        finally { context.Unload(); }
    }

    static void Walk(object node, string path, List<string> holes)
    {
        string here = $"{path} {node.GetType().GetProperty("Name")!.GetValue(node)}".Trim();
        if (node.GetType().GetProperty("Children")?.GetValue(node) is not System.Collections.IEnumerable children) return;
        foreach (var child in children)
        {
            if (child is null) holes.Add(here);
            else Walk(child, here, holes);
        }
    }
}
