using Cpe.Cli;
using Cpe.Cli.Shell;

namespace Cpe.UnitTests.Cli;

[Trait("Kind", "Unit")]
public sealed class GrammarWordsTests
{
    [Theory]
    [InlineData("show version")]
    [InlineData("sh ver")]
    [InlineData("show log 100")]
    [InlineData("show interfaces ge-0/0/1")]
    [InlineData("show interfaces detail")]
    [InlineData("show vnf fw1 log")]
    [InlineData("show configuration system host-name")]
    [InlineData("request system software add http://10.0.2.2/fw.cpeu reboot")]
    [InlineData("request system software rollback reboot")]
    [InlineData("request system reboot slot other")]
    [InlineData("request zero-touch load ownership-voucher terminal")]
    [InlineData("clear interfaces statistics ge-0/0/1")]
    [InlineData("configure exclusive")]
    public void Commands_the_tree_has_room_for_pass(string line) =>
        Grammar.CheckWords(line.Split(' '), Grammar.Operational, "in operational mode");

    [Theory]
    [InlineData("show version foo", "syntax error: unexpected 'foo': 'show version' takes nothing more")]
    [InlineData("show system alarms now", "syntax error: unexpected 'now': 'show system alarms' takes nothing more")]
    [InlineData("sh chassis hardware x", "syntax error: unexpected 'x': 'show chassis hardware' takes nothing more")]
    [InlineData("request system software rollback now", "syntax error: 'now' is not valid after 'request system software rollback'; expected one of: reboot")]
    [InlineData("exit now", "syntax error: unexpected 'now': 'exit' takes nothing more")]
    [InlineData("show bridge macs", "syntax error: 'macs' is not valid after 'show bridge'; expected one of: mac-table")]
    public void A_word_the_tree_has_no_room_for_is_refused_with_one_message(string line, string message) =>
        Assert.Equal(message, Assert.Throws<CliException>(() => Grammar.CheckWords(line.Split(' '), Grammar.Operational, "in operational mode")).Message);

    [Theory]
    [InlineData("show versoin", "versoin", 5)]
    [InlineData("show system alarms now | match x", "now", 19)]
    [InlineData("show show", "show", 0)]
    [InlineData("show versions", "version", null)]   // not a word of its own: no caret rather than a wrong one
    public void The_caret_goes_under_the_word_that_is_wrong(string line, string token, int? at)
    {
        Assert.Equal(at, CliShell.Caret(line, token));
        if (at is null) return;
        var e = Assert.Throws<CliException>(() => Grammar.CheckWords(line.Split('|')[0].Trim().Split(' '), Grammar.Operational, "in operational mode"));
        Assert.Equal(token, e.Token);
    }
}
