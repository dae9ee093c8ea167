using System.Text.Json.Nodes;
using Cpe.Config;

namespace Cpe.UnitTests.Config;

[Trait("Kind", "Unit")]
public class ConfigDiffTests
{
    static JsonObject Tree(string json) => (JsonObject)JsonNode.Parse(json)!;

    [Fact]
    public void Shows_changed_added_and_removed_statements_under_edit_headers()
    {
        var before = Tree("""{"system":{"host-name":"a","ntp":{"server":["192.0.2.1"]},"login":{"user":[{"name":"ann","class":"admin"},{"name":"old","class":"operator"}]}}}""");
        var after = Tree("""{"system":{"host-name":"b","ntp":{"server":["192.0.2.2"]},"login":{"user":[{"name":"ann","class":"operator"},{"name":"bob","class":"admin"}]}}}""");
        string expected = """
            [edit system]
            -   host-name a;
            +   host-name b;
            [edit system ntp]
            -   server 192.0.2.1;
            +   server 192.0.2.2;
            [edit system login]
            -   user old {
            -       class operator;
            -   }
            +   user bob {
            +       class admin;
            +   }
            [edit system login user ann]
            -   class admin;
            +   class operator;

            """.Replace("\r\n", "\n");
        Assert.Equal(expected, ConfigDiff.Compare(before, after));
    }

    [Fact]
    public void Identical_trees_have_no_difference() =>
        Assert.Equal("", ConfigDiff.Compare(Tree("""{"system":{"host-name":"a"}}"""), Tree("""{"system":{"host-name":"a"}}""")));

    [Fact]
    public void A_new_section_is_shown_whole()
    {
        string diff = ConfigDiff.Compare(Tree("{}"), Tree("""{"system":{"host-name":"a"}}"""));
        Assert.Equal("[edit]\n+   system {\n+       host-name a;\n+   }\n", diff);
    }
}
