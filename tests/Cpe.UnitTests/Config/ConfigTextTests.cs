using System.Text.Json.Nodes;
using Cpe.Config;

namespace Cpe.UnitTests.Config;

[Trait("Kind", "Unit")]
public class ConfigTextTests
{
    const string Json = """{"system":{"host-name":"site-17","login":{"banner":"Authorised use only","user":[{"name":"ann","class":"admin","authentication":{"encrypted-password":"$pbkdf2-sha512$i=1000$c2FsdA==$aGFzaA=="}}]},"syslog":{"host":[{"name":"192.0.2.9","port":514}]}}}""";

    [Fact]
    public void Hierarchy_is_indented_braces_in_schema_order()
    {
        var tree = (JsonObject)JsonNode.Parse(Json)!;
        string text = ConfigText.Hierarchy(tree, Cpe.Config.Schema.ConfigSchema.Root);
        Assert.Equal("""
            system {
                host-name site-17;
                syslog {
                    host 192.0.2.9 {
                        port 514;
                    }
                }
                login {
                    banner "Authorised use only";
                    user ann {
                        class admin;
                        authentication {
                            encrypted-password $pbkdf2-sha512$i=1000$c2FsdA==$aGFzaA==;
                        }
                    }
                }
            }

            """.Replace("\r\n", "\n"), text);
    }

    [Fact]
    public void Set_commands_rebuild_the_same_tree()
    {
        var tree = (JsonObject)JsonNode.Parse(Json)!;
        var lines = ConfigText.SetCommands(tree, ConfigPath.Root);
        Assert.Contains("set system login banner \"Authorised use only\"", lines);
        var rebuilt = new JsonObject();
        foreach (var line in lines)
            ConfigTree.Set(rebuilt, ConfigPath.Parse(TokenText.Split(line).Skip(1).ToList(), allowValue: true));
        Assert.True(JsonNode.DeepEquals(tree, rebuilt), rebuilt.ToJsonString());
    }

    [Fact]
    public void Set_commands_of_a_subtree_keep_its_path()
    {
        var tree = (JsonObject)JsonNode.Parse(Json)!;
        var path = ConfigPath.Parse(["system", "login", "user", "ann"], false);
        var lines = ConfigText.SetCommands(ConfigTree.Get(tree, path), path);
        Assert.Equal("set system login user ann class admin", lines[0]);
    }
}
