using Cpe.Config;
using Cpe.Config.Schema;

namespace Cpe.UnitTests.Config;

[Trait("Kind", "Unit")]
public class ConfigHierarchyReaderTests
{
    [Fact]
    public void What_show_configuration_prints_reads_back_as_the_same_document()
    {
        var document = ConfigDocument.Parse("""
            {"system":{"host-name":"site-17","ntp":{"server":["192.0.2.1","192.0.2.2"]},
             "login":{"banner":"Authorised use only; \"really\"","user":[{"name":"ann","class":"admin","full-name":"Ann Smith"}]}}}
            """);
        string text = ConfigText.Hierarchy(document, ConfigSchema.Root);
        var read = ConfigHierarchyReader.Parse(text, []);
        Assert.Equal(ConfigDocument.Serialize(document), ConfigDocument.Serialize(read));
    }

    [Fact]
    public void Pasted_junos_text_with_comments_brackets_and_one_line_blocks_is_read()
    {
        var read = ConfigHierarchyReader.Parse("""
            /* from the old box */
            system {
                host-name branch-7;   # the site's name
                ntp { server [ 192.0.2.1 192.0.2.2 ]; }
                login {
                    user otto { class operator; }
                }
            }
            """, []);
        Assert.Equal("branch-7", read["system"]!["host-name"]!.GetValue<string>());
        Assert.Equal(2, read["system"]!["ntp"]!["server"]!.AsArray().Count);
        Assert.Equal("operator", read["system"]!["login"]!["user"]![0]!["class"]!.GetValue<string>());
    }

    [Fact]
    public void At_an_edit_level_the_text_is_relative_to_it()
    {
        var read = ConfigHierarchyReader.Parse("host-name edge-1;\nntp { server 192.0.2.9; }", ["system"]);
        Assert.Equal("edge-1", read["host-name"]!.GetValue<string>());
        Assert.Equal("192.0.2.9", read["ntp"]!["server"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("system {\n    host-name a\n}", "line 3: missing ';' after 'host-name a'")]
    [InlineData("system {\n    host-name a;\n", "missing '}' at the end")]
    [InlineData("system {\n    host-name \"bad name\";\n}", "line 2: system host-name: 'bad name' must be a host name")]
    [InlineData("}", "line 1: '}' with no '{' to close")]
    [InlineData("system { nonsense 1; }", "line 1: ")]
    public void A_mistake_names_its_line(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<ConfigException>(() => ConfigHierarchyReader.Parse(text, [])).Message);
}
