using Cpe.Config;
using Cpe.Config.Schema;

namespace Cpe.UnitTests.Config;

[Trait("Kind", "Unit")]
public class PasswordHashTests
{
    [Fact]
    public void Verifies_the_right_password_only()
    {
        string hash = PasswordHash.Create("correct horse", iterations: 1000);
        Assert.True(PasswordHash.Verify("correct horse", hash));
        Assert.False(PasswordHash.Verify("correct hors", hash));
        Assert.NotNull(Types.PasswordHash.Parse(hash));
    }

    [Fact]
    public void Same_password_gets_a_different_salt() =>
        Assert.NotEqual(PasswordHash.Create("pw", 1000), PasswordHash.Create("pw", 1000));

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("$pbkdf2-sha512$i=10$c2FsdA==$aGFzaA==")]
    [InlineData("$pbkdf2-sha256$i=1000$c2FsdA==$aGFzaA==")]
    [InlineData("$pbkdf2-sha512$i=1000$***$aGFzaA==")]
    public void Malformed_hashes_never_verify(string stored) => Assert.False(PasswordHash.Verify("pw", stored));
}
