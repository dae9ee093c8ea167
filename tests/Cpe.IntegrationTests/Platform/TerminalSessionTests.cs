using Cpe.TestKit;

namespace Cpe.IntegrationTests.Platform;

/// <summary>The interactive CLI on a real pseudo-terminal, typed at as a technician would.</summary>
[Trait("Kind", "Integration")]
public sealed class TerminalSessionTests : DaemonTest
{
    PtyDriver _tty = null!;

    protected override Task SetUpAsync()
    {
        _tty = Terminal();
        return Task.CompletedTask;
    }

    protected override void TearDown() => _tty?.Dispose();

    [Fact]
    public void Question_mark_lists_what_may_follow_with_descriptions()
    {
        _tty.Type("show ?");
        string help = _tty.WaitFor("root@cpe> show ");
        Assert.Contains("Possible completions:", help);
        Assert.Matches(@"configuration +Committed configuration", help);
        Assert.Matches(@"version +Software and model", help);
        // The "?" is not part of the line: Enter now runs "show " which needs more words.
        _tty.Type("\x15show sys?");
        string partial = _tty.WaitFor("root@cpe> show sys");
        Assert.Contains("system", partial);
        Assert.DoesNotContain("version", partial);
    }

    [Fact]
    public void Tab_completes_unique_words()
    {
        _tty.Type("sh\tsys\tup\t\r");
        string output = _tty.WaitFor("root@cpe> ");
        Assert.Contains("show system uptime", output);
        Assert.Contains("System booted:", output);
    }

    [Fact]
    public void Tab_with_several_choices_lists_them()
    {
        _tty.Type("show system u\t");
        string output = _tty.WaitFor("root@cpe> show system u");
        Assert.Contains("uptime", output);
        Assert.Contains("users", output);
    }

    [Fact]
    public void Ctrl_C_cancels_the_line_without_running_it()
    {
        _tty.Type("configure\x03");
        string output = _tty.WaitFor("root@cpe> ");
        Assert.Contains("^C", output);
        Assert.DoesNotContain("Entering configuration mode", output);
    }

    [Fact]
    public void A_wrong_word_gets_a_caret_under_it()
    {
        string output = _tty.Run("show versoin", "root@cpe> ");
        // "root@cpe> " is 10 columns, "show " 5 more: the caret is in column 15, under the "v".
        Assert.Contains("\n" + new string(' ', 15) + "^\n", output.Replace("\r", ""));
        Assert.Contains("error: syntax error: 'versoin' is not valid after 'show'", output);
    }

    [Fact]
    public void Configure_commit_and_the_prompt_follows_the_host_name()
    {
        Assert.Contains("Entering configuration mode", _tty.Run("configure", "root@cpe# "));
        _tty.Run("set system host-name tty-box", "root@cpe# ");
        Assert.Contains("commit complete", _tty.Run("commit", "root@tty-box# "));
        _tty.Run("exit", "root@tty-box> ");
        Assert.Equal("tty-box", Cped.KernelHostName());
    }

    [Fact]
    public void Edit_levels_show_in_the_banner_and_paths_are_relative()
    {
        _tty.Run("configure", "# ");
        Assert.Contains("[edit system login]", _tty.Run("edit system login", "# "));
        _tty.Run("set user ann class admin", "# ");
        Assert.Contains("[edit system]", _tty.Run("up", "# "));
        Assert.Contains("user ann {", _tty.Run("show login", "# "));
        Assert.Contains("[edit]", _tty.Run("top", "# "));
        _tty.Type("set system login user ?");
        string help = _tty.WaitFor("# set system login user ");
        Assert.Contains("<user-name>", help);
        Assert.Contains("ann", help);
    }

    [Fact]
    public void Exit_asks_about_uncommitted_changes()
    {
        _tty.Run("configure", "# ");
        _tty.Run("set system domain-name example.net", "# ");
        _tty.Type("exit\r");
        _tty.WaitFor("Exit with uncommitted changes? [yes,no] (yes) ");
        _tty.Type("no\r");
        _tty.WaitFor("root@cpe# ");
        Assert.Contains("+   domain-name example.net;", _tty.Run("show | compare", "# "));
        _tty.Type("exit configuration-mode\r");
        _tty.WaitFor("(yes) ");
        _tty.Type("\r");
        _tty.WaitFor("root@cpe> ");
    }

    [Fact]
    public void Arrow_up_recalls_the_previous_command()
    {
        _tty.Run("show version");
        _tty.Type("\x1b[A\r");
        Assert.Contains("Software: CPE firmware", _tty.WaitFor("root@cpe> "));
    }

    [Fact]
    public void Errors_are_short_and_never_a_stack_trace()
    {
        string output = _tty.Run("configure", "# ") + _tty.Run("set system host-name \"bad name\"", "# ");
        Assert.Contains("error: system host-name: 'bad name' must be a host name", output);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Exception", output);
    }

    [Fact]
    public void Pipes_work_interactively()
    {
        Assert.Contains("Count: ", _tty.Run("show system users | count"));
        Assert.Matches(@"root +admin", _tty.Run("show system users | match root"));
    }
}

/// <summary>Paging at the terminal's height, which comes from TIOCGWINSZ.</summary>
[Trait("Kind", "Integration")]
public sealed class PagingTests : DaemonTest
{
    [Fact]
    public async Task Long_output_stops_at_each_screen()
    {
        string servers = string.Join("; ", Enumerable.Range(1, 8).Select(i => $"set system ntp server 192.0.2.{i}"));
        var setup = await Cpe($"configure; {servers}; commit");
        Assert.True(setup.ExitCode == 0, setup.ToString());

        using var tty = Terminal(rows: 6);
        tty.Type("show configuration\r");
        string first = tty.WaitFor("---(more)---");
        Assert.Contains("192.0.2.2;", first);
        Assert.DoesNotContain("192.0.2.5;", first);
        tty.Type(" ");
        string second = tty.WaitFor("---(more)---");
        Assert.Contains("192.0.2.5;", second);
        tty.Type("q");
        tty.WaitFor("root@cpe> ");
        tty.Type("show configuration | no-more\r");
        string all = tty.WaitFor("root@cpe> ");
        Assert.Contains("192.0.2.8;", all);
        Assert.DoesNotContain("---(more)---", all);
    }
}
