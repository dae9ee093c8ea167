using System.Text.Json.Nodes;
using Cpe.Platform.Api;

namespace Cpe.UnitTests.Platform;

[Trait("Kind", "Unit")]
public sealed class SecretDataTests
{
    [Fact]
    public void Every_password_hash_is_hidden_in_trees_and_text_and_nothing_else_changes()
    {
        var tree = JsonNode.Parse("""{"system":{"host-name":"a","login":{"user":[{"name":"ann","authentication":{"encrypted-password":"$pbkdf2-sha512$i=1$AA$BB"}},{"name":"otto","class":"operator"}]}}}""")!;
        var hidden = SecretData.Redact(tree)!;
        Assert.Equal(SecretData.Hidden, hidden["system"]!["login"]!["user"]![0]!["authentication"]!["encrypted-password"]!.GetValue<string>());
        Assert.Equal("a", hidden["system"]!["host-name"]!.GetValue<string>());
        Assert.Contains("$pbkdf2", tree.ToJsonString());   // the original is left as it was
        Assert.Equal("""
            +        encrypted-password /* SECRET-DATA */;
                     class operator;
            """, SecretData.Redact("""
            +        encrypted-password "$pbkdf2-sha512$i=1$AA$BB";
                     class operator;
            """));
        Assert.Equal([true, true, false, false], new[] { Role.Operator, Role.None, Role.Admin, Role.Phonehome }.Select(SecretData.Hides));
    }
}
