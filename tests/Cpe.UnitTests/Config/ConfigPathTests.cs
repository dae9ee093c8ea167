using Cpe.Config;
using Cpe.Config.Schema;

namespace Cpe.UnitTests.Config;

[Trait("Kind", "Unit")]
public class ConfigPathTests
{
    [Fact]
    public void Resolves_containers_list_keys_leaves_and_the_value()
    {
        var path = ConfigPath.Parse(["system", "login", "user", "bob", "class", "admin"], allowValue: true);
        Assert.Equal(["system", "login", "user", "bob", "class"], path.Tokens);
        Assert.Equal("admin", path.Value);
        Assert.IsType<LeafNode>(path.Target);
        Assert.Equal("bob", path.Steps[2].Key);
    }

    [Fact]
    public void Unknown_keyword_names_the_place_and_the_choices()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigPath.Parse(["system", "hostname", "x"], true));
        Assert.Equal("system", e.Errors[0].Path);
        Assert.Contains("'hostname' is not valid here", e.Message);
        Assert.Contains("host-name", e.Message);
    }

    [Fact]
    public void A_bad_list_key_is_refused_with_the_rule()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigPath.Parse(["system", "login", "user", "Bad User"], true));
        Assert.Equal("system login user", e.Errors[0].Path);
        Assert.Contains("must be a login name", e.Message);
    }

    [Fact]
    public void A_value_is_refused_where_none_is_allowed()
    {
        Assert.Throws<ConfigException>(() => ConfigPath.Parse(["system", "host-name", "x"], allowValue: false));
        Assert.Throws<ConfigException>(() => ConfigPath.Parse(["system", "host-name", "x", "y"], allowValue: true));
    }

    [Fact]
    public void A_list_without_key_targets_the_whole_list()
    {
        var path = ConfigPath.Parse(["system", "login", "user"], false);
        Assert.IsType<ListNode>(path.Target);
        Assert.Null(path.Steps[^1].Key);
    }

    [Fact]
    public void A_chained_set_splits_into_statements_at_the_leafs_level()
    {
        var statements = ConfigPath.ParseStatements(TokenText.Split(
            "system login user ann class admin full-name \"Ann Smith\" authentication encrypted-password x"));
        Assert.Equal(3, statements.Count);
        Assert.Equal("system login user ann class", statements[0].ToString());
        Assert.Equal("Ann Smith", statements[1].Value);
        Assert.Equal("system login user ann authentication encrypted-password", statements[2].ToString());
    }

    [Fact]
    public void A_single_statement_is_not_split()
    {
        var statements = ConfigPath.ParseStatements(["system", "host-name", "a"]);
        Assert.Equal("a", Assert.Single(statements).Value);
    }

    [Fact]
    public void Chained_statements_still_report_the_bad_word()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigPath.ParseStatements(["system", "host-name", "a", "colour", "blue"]));
        Assert.Contains("'colour' is not valid here", e.Message);
    }
}
