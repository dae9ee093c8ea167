using Cpe.Config;

namespace Cpe.UnitTests.Config;

[Trait("Kind", "Unit")]
public class TokenTextTests
{
    [Theory]
    [InlineData("set system host-name site-17", new[] { "set", "system", "host-name", "site-17" })]
    [InlineData("set system login banner \"Authorised use only\"", new[] { "set", "system", "login", "banner", "Authorised use only" })]
    [InlineData("  show   \"a \\\"quoted\\\" word\"  ", new[] { "show", "a \"quoted\" word" })]
    [InlineData("set x \"\"", new[] { "set", "x", "" })]
    public void Splits_words_and_honours_quotes(string line, string[] expected) =>
        Assert.Equal(expected, TokenText.Split(line));

    [Fact]
    public void An_unterminated_quote_is_an_error() =>
        Assert.Throws<ConfigException>(() => TokenText.Split("set system host-name \"abc"));

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("two words", "\"two words\"")]
    [InlineData("", "\"\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    public void Quotes_only_when_needed_and_round_trips(string token, string quoted)
    {
        Assert.Equal(quoted, TokenText.Quote(token));
        Assert.Equal([token], TokenText.Split(quoted));
    }
}
