using System.Text.Json.Nodes;
using Cpe.Config;

namespace Cpe.UnitTests.Config;

[Trait("Kind", "Unit")]
public class ConfigTreeTests
{
    static ConfigPath P(string line) => ConfigPath.Parse(TokenText.Split(line), allowValue: true);

    [Fact]
    public void Set_creates_parents_and_typed_values()
    {
        var tree = new JsonObject();
        ConfigTree.Set(tree, P("system syslog host 10.0.0.5 port 1514"));
        ConfigTree.Set(tree, P("system host-name site-17"));
        Assert.Equal("""{"system":{"syslog":{"host":[{"name":"10.0.0.5","port":1514}]},"host-name":"site-17"}}""", tree.ToJsonString());
    }

    [Fact]
    public void Set_refuses_a_value_that_breaks_the_rule_and_changes_nothing()
    {
        var tree = new JsonObject();
        var e = Assert.Throws<ConfigException>(() => ConfigTree.Set(tree, P("system host-name \"bad name\"")));
        Assert.Equal("system host-name", e.Errors[0].Path);
        Assert.Contains("must be a host name", e.Errors[0].Message);
        Assert.Empty(tree);
    }

    [Fact]
    public void Leaf_lists_add_once_and_delete_one_value()
    {
        var tree = new JsonObject();
        ConfigTree.Set(tree, P("system ntp server 192.0.2.1"));
        ConfigTree.Set(tree, P("system ntp server 192.0.2.2"));
        ConfigTree.Set(tree, P("system ntp server 192.0.2.1"));
        Assert.Equal(2, tree["system"]!["ntp"]!["server"]!.AsArray().Count);
        Assert.True(ConfigTree.Delete(tree, P("system ntp server 192.0.2.1")));
        Assert.Equal("""["192.0.2.2"]""", tree["system"]!["ntp"]!["server"]!.ToJsonString());
    }

    [Fact]
    public void Delete_prunes_empty_containers_and_reports_missing_statements()
    {
        var tree = new JsonObject();
        ConfigTree.Set(tree, P("system ntp server 192.0.2.1"));
        Assert.True(ConfigTree.Delete(tree, P("system ntp")));
        Assert.Empty(tree);
        Assert.False(ConfigTree.Delete(tree, P("system host-name")));
    }

    [Fact]
    public void Delete_a_list_entry()
    {
        var tree = new JsonObject();
        ConfigTree.Set(tree, P("system login user ann class admin"));
        ConfigTree.Set(tree, P("system login user bob class operator"));
        Assert.True(ConfigTree.Delete(tree, P("system login user ann")));
        Assert.Null(ConfigTree.Get(tree, P("system login user ann")));
        Assert.NotNull(ConfigTree.Get(tree, P("system login user bob")));
    }

    [Fact]
    public void Merge_replaces_leaves_and_merges_lists_by_key()
    {
        var tree = new JsonObject();
        ConfigTree.Set(tree, P("system host-name a"));
        ConfigTree.Set(tree, P("system login user ann class admin"));
        var patch = (JsonObject)JsonNode.Parse("""{"system":{"host-name":"b","login":{"user":[{"name":"ann","full-name":"Ann"},{"name":"bob","class":"operator"}]}}}""")!;
        ConfigTree.Merge(tree, patch, Cpe.Config.Schema.ConfigSchema.Root);
        Assert.Equal("b", tree["system"]!["host-name"]!.GetValue<string>());
        var users = tree["system"]!["login"]!["user"]!.AsArray();
        Assert.Equal(2, users.Count);
        Assert.Equal("admin", users[0]!["class"]!.GetValue<string>());
        Assert.Equal("Ann", users[0]!["full-name"]!.GetValue<string>());
    }
}
