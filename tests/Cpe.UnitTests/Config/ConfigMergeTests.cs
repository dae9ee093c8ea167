using System.Text.Json.Nodes;
using Cpe.Config;

namespace Cpe.UnitTests.Config;

[Trait("Kind", "Unit")]
public class ConfigMergeTests
{
    static JsonObject Doc(string json) => ConfigDocument.Parse(json);

    static string Merge(string @base, string mine, string theirs, out IReadOnlyList<MergeConflict> conflicts)
    {
        var (merged, found) = ConfigMerge.ThreeWay(Doc(@base), Doc(mine), Doc(theirs));
        conflicts = found;
        return ConfigDocument.Serialize(merged);
    }

    [Fact]
    public void Changes_of_different_leaves_are_both_kept()
    {
        string merged = Merge("""{"system":{"host-name":"old"}}""",
            """{"system":{"host-name":"old","domain-name":"mine.example"}}""",
            """{"system":{"host-name":"ztp-name"}}""", out var conflicts);
        Assert.Empty(conflicts);
        Assert.Equal(ConfigDocument.Serialize(Doc("""{"system":{"host-name":"ztp-name","domain-name":"mine.example"}}""")), merged);
    }

    [Fact]
    public void A_leaf_both_changed_keeps_the_candidate_s_value_and_is_reported()
    {
        string merged = Merge("""{"system":{"host-name":"old"}}""", """{"system":{"host-name":"tech"}}""", """{"system":{"host-name":"ztp"}}""", out var conflicts);
        Assert.Contains("\"host-name\":\"tech\"", merged);
        var c = Assert.Single(conflicts);
        Assert.Equal(("system host-name", "tech", "ztp"), (c.Path, c.Kept, c.Dropped));
    }

    [Fact]
    public void List_entries_merge_by_key_and_a_deletion_on_one_side_is_kept()
    {
        string @base = """{"system":{"syslog":{"host":[{"name":"10.0.0.1"},{"name":"10.0.0.2"}]}}}""";
        string mine = """{"system":{"syslog":{"host":[{"name":"10.0.0.1","port":1514},{"name":"10.0.0.2"}]}}}""";       // tech changed one entry
        string theirs = """{"system":{"syslog":{"host":[{"name":"10.0.0.1"},{"name":"10.0.0.3"}]}}}""";                  // push replaced the other
        string merged = Merge(@base, mine, theirs, out var conflicts);
        Assert.Empty(conflicts);
        var hosts = (JsonArray)JsonNode.Parse(merged)!["system"]!["syslog"]!["host"]!;
        Assert.Equal(["10.0.0.1", "10.0.0.3"], hosts.Select(h => h!["name"]!.GetValue<string>()).ToArray());
        Assert.Equal(1514, hosts[0]!["port"]!.GetValue<int>());
    }

    [Fact]
    public void Leaf_list_items_added_and_removed_on_both_sides_all_count()
    {
        string merged = Merge("""{"system":{"ntp":{"server":["a.example","b.example"]}}}""",
            """{"system":{"ntp":{"server":["a.example","mine.example"]}}}""",
            """{"system":{"ntp":{"server":["a.example","b.example","theirs.example"]}}}""", out var conflicts);
        Assert.Empty(conflicts);
        var servers = JsonNode.Parse(merged)!["system"]!["ntp"]!["server"]!.AsArray().Select(x => x!.GetValue<string>());
        Assert.Equal(["a.example", "theirs.example", "mine.example"], servers.ToArray());
    }

    [Fact]
    public void An_entry_one_side_deleted_and_the_other_changed_is_reported()
    {
        string @base = """{"system":{"syslog":{"host":[{"name":"10.0.0.1"}]}}}""";
        Merge(@base, """{"system":{}}""", """{"system":{"syslog":{"host":[{"name":"10.0.0.1","port":1514}]}}}""", out var conflicts);
        var c = Assert.Single(conflicts);
        Assert.Equal(("system syslog host 10.0.0.1", "(deleted)", "(changed)"), (c.Path, c.Kept, c.Dropped));
    }

    [Fact]
    public void A_password_hash_is_never_written_into_a_conflict()
    {
        static string User(string hash) => """{"system":{"login":{"user":[{"name":"ops","class":"admin","authentication":{"encrypted-password":""" + "\"" + hash + "\"" + "}}]}}}";
        string a = PasswordHash.Create("a"), b = PasswordHash.Create("b"), c = PasswordHash.Create("c");
        Merge(User(a), User(b), User(c), out var conflicts);
        var x = Assert.Single(conflicts);
        Assert.Equal("system login user ops authentication encrypted-password", x.Path);
        Assert.DoesNotContain("$", x.Kept + x.Dropped);
    }
}
