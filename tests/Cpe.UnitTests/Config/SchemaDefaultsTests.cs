using System.Globalization;
using System.Text.Json.Nodes;
using Cpe.Config.Schema;

namespace Cpe.UnitTests.Config;

/// <summary>
/// A leaf's default is written once, as the node's <see cref="LeafNode.Default"/>, which readers of a validated tree
/// get for an absent leaf; its description says it to a person. These keep the two in step and the accessors honest.
/// </summary>
[Trait("Kind", "Unit")]
public class SchemaDefaultsTests
{
    static IEnumerable<(string Path, LeafNode Leaf)> Leaves(SchemaNode node, string path)
    {
        string here = path.Length == 0 ? node.Name : $"{path} {node.Name}";
        if (node is LeafNode leaf) yield return (here, leaf);
        if (node is ParentNode parent)
            foreach (var child in parent.Children)
                foreach (var l in Leaves(child, here.Trim())) yield return l;
    }

    [Fact]
    public void Every_default_is_the_one_the_description_states_and_a_value_of_its_type()
    {
        var defaults = Leaves(ConfigSchema.Root, "").Where(l => l.Leaf.Default is not null).ToList();
        Assert.Contains(defaults, l => l.Path == "interfaces interface mtu");
        foreach (var (path, leaf) in defaults)
        {
            string text = leaf.Default switch
            {
                bool b => b ? "true" : "false",
                long n => n.ToString(CultureInfo.InvariantCulture),
                string s => s,
                var other => throw new Xunit.Sdk.XunitException($"{path}: default {other} is not a string, long or bool"),
            };
            Assert.True(leaf.Description.Contains($"default {text}", StringComparison.Ordinal), $"{path}: the description does not say 'default {text}': {leaf.Description}");
            Assert.True(leaf.Type.Parse(text) is not null, $"{path}: the default {text} breaks the leaf's own rule: {leaf.Type.Rule}");
        }
    }

    [Fact]
    public void An_absent_leaf_reads_as_its_default_and_a_present_one_as_itself()
    {
        var port = new JsonObject { ["name"] = "ge-0/0/1", ["mtu"] = 9000, ["admin-state"] = "down" };
        Assert.Equal((9000L, "down", false), (NetworkSchema.Port.Mtu.Integer(port), NetworkSchema.Port.AdminState.Text(port), NetworkSchema.Port.Dhcp.Flag(port)));
        Assert.Equal((1500L, "up", (string?)null), (NetworkSchema.Port.Mtu.Integer(null), NetworkSchema.Port.AdminState.Text(null), NetworkSchema.Port.Description.Text(null)));
        var tree = new JsonObject { ["sriov"] = new JsonObject { ["pf"] = new JsonArray(new JsonObject { ["name"] = "eth4" }) } };
        var pf = Assert.Single(NetworkSchema.Pf.List.Entries(NetworkSchema.Sriov.In(tree)));
        Assert.Equal(("eth4", 0L), (ListNode.Key(pf), NetworkSchema.Pf.VfCount.Integer(pf)));
        Assert.Empty(NetworkSchema.Vf.List.Entries(pf));
    }
}
