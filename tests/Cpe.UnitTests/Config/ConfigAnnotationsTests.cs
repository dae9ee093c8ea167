using System.Text.Json.Nodes;
using Cpe.Config;
using Cpe.Config.Schema;

namespace Cpe.UnitTests.Config;

[Trait("Kind", "Unit")]
public class ConfigAnnotationsTests
{
    static JsonObject Tree(string json) => (JsonObject)JsonNode.Parse(json)!;
    static ConfigPath Path(string words) => ConfigPath.Parse(TokenText.Split(words), allowValue: false);

    const string Site = """{"system":{"host-name":"site-17","ntp":{"server":["192.0.2.1"]},"login":{"user":[{"name":"ann","class":"admin"}]}}}""";

    [Fact]
    public void Comments_are_kept_as_RFC_7952_metadata_beside_a_leaf_and_inside_a_container_or_entry()
    {
        var tree = Tree(Site);
        ConfigAnnotations.Annotate(tree, Path("system host-name"), "named by the work order");
        ConfigAnnotations.Annotate(tree, Path("system"), "the box itself");
        ConfigAnnotations.Annotate(tree, Path("system login user ann"), "night shift");
        Assert.Equal("""{"comment":"named by the work order"}""", tree["system"]!["@host-name"]!.ToJsonString());
        Assert.Equal("the box itself", ConfigAnnotations.Comment(tree["system"]!.AsObject(), "@"));
        Assert.Equal("night shift", ConfigAnnotations.Comment(tree["system"]!["login"]!["user"]![0]!.AsObject(), "@"));
        Assert.Empty(ConfigValidator.Validate(tree));

        // Shown above their statements; not in "display set".
        string text = ConfigText.Hierarchy(tree, ConfigSchema.Root);
        Assert.Contains("/* the box itself */\nsystem {\n    /* named by the work order */\n    host-name site-17;\n", text);
        Assert.Contains("        /* night shift */\n        user ann {\n", text);
        Assert.DoesNotContain(ConfigText.SetCommands(tree, ConfigPath.Root), l => l.Contains("night", StringComparison.Ordinal));

        // An empty comment removes it; deleting a leaf takes its comment with it.
        ConfigAnnotations.Annotate(tree, Path("system"), "");
        Assert.Null(tree["system"]!["@"]);
        ConfigTree.Delete(tree, Path("system host-name"));
        Assert.Null(tree["system"]!["@host-name"]);
    }

    [Fact]
    public void Only_configured_statements_take_a_comment_and_a_comment_is_bounded_text()
    {
        var tree = Tree(Site);
        Assert.Contains("statement not found", Assert.Throws<ConfigException>(() => ConfigAnnotations.Annotate(tree, Path("system domain-name"), "x")).Message);
        Assert.Contains("annotate an entry of the list", Assert.Throws<ConfigException>(() => ConfigAnnotations.Annotate(tree, Path("system login user"), "x")).Message);
        Assert.Contains("'*/'", Assert.Throws<ConfigException>(() => ConfigAnnotations.Annotate(tree, Path("system"), "a */ b")).Message);
        Assert.Contains("at most 1024", Assert.Throws<ConfigException>(() => ConfigAnnotations.Annotate(tree, Path("system"), new string('x', 1025))).Message);
        Assert.Throws<ConfigException>(() => ConfigAnnotations.Annotate(tree, Path("system"), "bell \u0007"));

        // A loaded document is checked the same way.
        var loaded = Tree("""{"system":{"host-name":"a","@domain-name":{"comment":"x"},"@":{"comment":1}}}""");
        var errors = ConfigValidator.Validate(loaded).Select(e => $"{e.Path}: {e.Message}").ToList();
        Assert.Contains("system @domain-name: annotates 'domain-name', which is not a configured leaf here", errors);
        Assert.Contains("system @: an annotation is {\"comment\": \"text\"}", errors);
    }

    [Fact]
    public void Compare_shows_a_changed_comment_with_the_statement_it_is_on()
    {
        var before = Tree(Site);
        var after = Tree(Site);
        ConfigAnnotations.Annotate(after, Path("system host-name"), "new name soon");
        ConfigAnnotations.Annotate(after, Path("system login user ann"), "night shift");
        string diff = ConfigDiff.Compare(before, after);
        Assert.Contains("[edit system]\n+   /* new name soon */\n    host-name site-17;\n", diff);
        Assert.Contains("[edit system login]\n+   /* night shift */\n    user ann { ... }\n", diff);
        Assert.Equal("", ConfigDiff.Compare(after, after));
    }

    [Fact]
    public void Update_merges_comments_as_statements_the_candidate_s_change_first()
    {
        var @base = Tree(Site);
        var mine = Tree(Site);
        ConfigAnnotations.Annotate(mine, Path("system host-name"), "mine");
        mine["system"]!["domain-name"] = "tech.example";   // the candidate changed the container too: it is merged member by member
        var theirs = Tree(Site);
        ConfigAnnotations.Annotate(theirs, Path("system login user ann"), "theirs");
        theirs["system"]!["host-name"] = "site-17";
        theirs["system"]!["time-zone"] = "UTC";
        var (merged, conflicts) = ConfigMerge.ThreeWay(@base, mine, theirs);
        Assert.Empty(conflicts);
        Assert.Equal("mine", ConfigAnnotations.Comment(merged["system"]!.AsObject(), "@host-name"));
        Assert.Equal("theirs", ConfigAnnotations.Comment(merged["system"]!["login"]!["user"]![0]!.AsObject(), "@"));
        Assert.Equal(("tech.example", "UTC"), (merged["system"]!["domain-name"]!.GetValue<string>(), merged["system"]!["time-zone"]!.GetValue<string>()));
    }
}
