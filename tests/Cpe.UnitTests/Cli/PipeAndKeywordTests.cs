using Cpe.Cli;
using Cpe.Cli.Output;

namespace Cpe.UnitTests.Cli;

[Trait("Kind", "Unit")]
public class PipeAndKeywordTests
{
    const string Text = "system {\n    host-name a;\n    domain-name b;\n}\n";

    [Fact]
    public void Match_except_and_count_filter_lines()
    {
        Assert.Equal("    host-name a;\n", PipeStage.Filter(Text, [PipeStage.Parse(["match", "host"])]));
        Assert.Equal("system {\n}\n", PipeStage.Filter(Text, [PipeStage.Parse(["except", "name"])]));
        Assert.Equal("Count: 4 lines\n", PipeStage.Filter(Text, [PipeStage.Parse(["count"])]));
        Assert.Equal("Count: 2 lines\n", PipeStage.Filter(Text, [PipeStage.Parse(["match", "name"]), PipeStage.Parse(["count"])]));
    }

    [Fact]
    public void Match_and_except_ignore_case_and_last_keeps_the_end()
    {
        Assert.Equal("    host-name a;\n", PipeStage.Filter(Text, [PipeStage.Parse(["match", "HOST"])]));
        Assert.Equal("system {\n}\n", PipeStage.Filter(Text, [PipeStage.Parse(["except", "NAME"])]));
        Assert.Equal("    domain-name b;\n}\n", PipeStage.Filter(Text, [PipeStage.Parse(["last", "2"])]));
        Assert.Equal(Text, PipeStage.Filter(Text, [PipeStage.Parse(["last"])]));   // 10 by default: all 4 lines
        Assert.Contains("from 1 up", Assert.Throws<CliException>(() => PipeStage.Parse(["last", "0"])).Message);
        Assert.Contains("expects a number", Assert.Throws<CliException>(() => PipeStage.Parse(["last", "x"])).Message);
    }

    [Fact]
    public void Pipe_words_may_be_abbreviated()
    {
        Assert.IsType<PipeStage.DisplaySet>(PipeStage.Parse(["disp", "s"]));
        Assert.IsType<PipeStage.NoMore>(PipeStage.Parse(["no"]));
        Assert.Equal(new PipeStage.Compare(2), PipeStage.Parse(["compare", "rollback", "2"]));
    }

    [Fact]
    public void A_bad_pipe_or_regex_is_a_clear_error()
    {
        Assert.Contains("is not valid after '|'", Assert.Throws<CliException>(() => PipeStage.Parse(["grep", "x"])).Message);
        Assert.Contains("bad regular expression", Assert.Throws<CliException>(() => PipeStage.Parse(["match", "("])).Message);
    }

    [Fact]
    public void Keywords_resolve_unique_prefixes_and_refuse_ambiguous_ones()
    {
        Assert.Equal("configure", Keyword.Resolve("conf", ["configure", "commit"], "here"));
        var e = Assert.Throws<CliException>(() => Keyword.Resolve("co", ["configure", "commit"], "here"));
        Assert.Contains("ambiguous", e.Message);
        // The same rule without an error: what the CLI uses to tell which command ran.
        Assert.Equal("configure", Keyword.TryResolve("conf", ["configure", "commit"]));
        Assert.Equal("up", Keyword.TryResolve("up", ["up", "update"]));
        Assert.Null(Keyword.TryResolve("co", ["configure", "commit"]));
        Assert.Null(Keyword.TryResolve("x", ["configure", "commit"]));
    }

    [Fact]
    public void Commands_split_on_semicolons_outside_quotes() =>
        Assert.Equal(["configure", "set system login banner \"a; b\"", "commit"],
            CliProgram.SplitCommands("configure; set system login banner \"a; b\"; commit;"));

    [Fact]
    public void The_pager_stops_each_screen_and_q_quits()
    {
        var io = new ScriptedTerminal(" q", rows: 5);
        string text = string.Concat(Enumerable.Range(1, 20).Select(i => $"line {i}\n"));
        Pager.Show(io, text, paging: true);
        string screen = io.Screen.ToString();
        Assert.Contains("line 8\n", screen);
        Assert.DoesNotContain("line 9\n", screen);
        Assert.Equal(2, screen.Split("---(more)---").Length - 1);
    }
}

[Trait("Kind", "Unit")]
public class TextWrapTests
{
    [Fact]
    public void A_long_line_breaks_at_spaces_and_its_tail_is_indented_four_more()
    {
        string fitted = Cpe.Cli.Output.TextWrap.Fit("  2026-12-07 00:25:41 UTC connecting: https://192.0.2.1:8443/ at 192.0.2.1 (from DHCP option 143 on ge-0/0/0)\nshort", 80);
        Assert.Equal("  2026-12-07 00:25:41 UTC connecting: https://192.0.2.1:8443/ at 192.0.2.1 (from\n      DHCP option 143 on ge-0/0/0)\nshort", fitted);
        Assert.All(Cpe.Cli.Output.TextWrap.Fit(new string('x', 200), 80).Split('\n'), l => Assert.True(l.Length <= 80));
    }
}

[Trait("Kind", "Unit")]
public class SoftwareTextTests
{
    [Fact]
    public void Show_system_software_fits_80_columns_and_reads_back_as_the_image_tests_and_bench_read_it()
    {
        var status = new Cpe.Api.SoftwareStatus("a", "1.0.0", "1.0.0",
            [new("a", "good", "1.0.0", true, null, null, DateTimeOffset.UnixEpoch, null), new("b", "trying", "2.5.0", false, 3, 0, DateTimeOffset.UnixEpoch, null)],
            new Cpe.Api.InstallInfo("installed", "2.5.0", "b", 42, 42, 1424384, 41943040, null, "http://10.0.2.2:34567/cpe-firmware-2.5.0.cpeu") { WrittenSeconds = 4.12 },
            null, "good");
        string shown = Cpe.Cli.Output.TextWrap.Fit(Cpe.Cli.Shell.CliShell.FormatSoftware(status, t => t.ToString("u")), 80).Replace("\n", "\r\n");
        Assert.All(shown.Split("\r\n"), l => Assert.True(l.Length <= 80, l));
        var read = Cpe.TestKit.SoftwareShown.Parse(shown);
        Assert.Equal(("1.0.0", 'a', "installed", 42, 42, "2.5.0 in slot b"), (read.Running, read.Slot, read.Install, read.Done, read.Chunks, read.OtherTrying));
        Assert.Equal(4.12, Cpe.TestKit.SoftwareShown.WrittenSeconds(shown, "2.5.0", "http://10.0.2.2:34567/cpe-firmware-2.5.0.cpeu"));
    }
}
