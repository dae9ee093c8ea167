using Cpe.TestKit;

namespace Cpe.IntegrationTests.Platform;

/// <summary>Configuration-mode commands beyond set and commit, through the real CLI.</summary>
[Trait("Kind", "Integration")]
public sealed class ConfigurationModeTests : DaemonTest
{
    [Fact]
    public async Task Compare_with_an_older_rollback()
    {
        await Cpe("configure; set system host-name first; commit");
        await Cpe("configure; set system host-name second; commit");
        var r = await Cpe("configure; set system domain-name example.net; show | compare rollback 1");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("-   host-name first;", r.Output);
        Assert.Contains("+   host-name second;", r.Output);
        Assert.Contains("+   domain-name example.net;", r.Output);
    }

    [Fact]
    public async Task Delete_reports_a_missing_statement_and_run_reaches_operational_commands()
    {
        var r = await Cpe("configure; delete system ntp; run show version");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("warning: statement not found", r.Output);
        Assert.Contains("Software: CPE firmware", r.Output);
    }

    [Fact]
    public async Task Load_set_applies_display_set_lines_all_or_none()
    {
        // What '| display set' prints loads back; a bad line leaves the candidate as it was.
        string good = Path.Combine(Cped.StateDirectory, "good.set"), bad = Path.Combine(Cped.StateDirectory, "bad.set");
        File.WriteAllText(good, "# from another box\nset system host-name loaded\n\nset system domain-name example.net\ndelete system ntp\n");
        File.WriteAllText(bad, "set system domain-name other.example\nset system host-name \"not a name\"\n");
        var r = await Cpe($"configure; load set {good}; commit");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("load complete (3 statements)", r.Output);
        Assert.Equal("host-name loaded;\n", (await Cpe("show configuration system host-name")).Output);

        var refused = await Cpe($"configure; load set {bad}");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("line 2: ", refused.Error);
        Assert.Contains("nothing was loaded", refused.Error);
        var compare = await Cpe("configure; show | compare");   // the shared candidate, as the failed load left it
        Assert.True(compare.ExitCode == 0, compare.ToString());
        Assert.DoesNotContain("other.example", compare.Output);
        Assert.Equal("domain-name example.net;\n", (await Cpe("show configuration system domain-name")).Output);
    }

    [Fact]
    public async Task Load_replace_at_an_edit_level_replaces_only_that_level()
    {
        await Cpe("configure; set system host-name keep-me; set system ntp server 192.0.2.1; commit");
        string file = Path.Combine(Cped.StateDirectory, "ntp.json");
        await File.WriteAllTextAsync(file, """{"server":["192.0.2.7"]}""");
        var r = await Cpe($"configure; edit system ntp; load replace {file}; top; commit");
        Assert.True(r.ExitCode == 0, r.ToString());
        var shown = (await Cpe("show configuration | display set")).Output;
        Assert.Equal("set system host-name keep-me\nset system ntp server 192.0.2.7\n", shown);
    }

    [Fact]
    public async Task Load_refuses_a_broken_document_and_changes_nothing()
    {
        string file = Path.Combine(Cped.StateDirectory, "broken.json");
        await File.WriteAllTextAsync(file, """{"system":{"host-name": """);
        var r = await Cpe($"configure; load merge {file}");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not valid JSON", r.Error);
        Assert.Equal("", (await Cpe("configure; show | compare")).Output.Replace("Entering configuration mode\n", ""));
    }

    [Fact]
    public async Task Exclusive_mode_locks_out_a_second_technician()
    {
        using var first = Terminal();
        Assert.Contains("exclusive", first.Run("configure exclusive", "# "));
        var second = await Cpe("configure");
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("configuration locked by root (session", second.Error);
        Assert.Matches(@"root +admin +cpe +\d+ +[\d:]+ +configure exclusive", await Task.Run(() => first.Run("run show system users", "# ")));
        first.Run("exit", "> ");
        Assert.Equal(0, (await Cpe("configure")).ExitCode);
    }

    [Fact]
    public void Load_terminal_reads_json_until_ctrl_d_and_ctrl_c_aborts_it()
    {
        using var tty = Terminal();
        tty.Run("configure", "# ");
        foreach (var (json, end) in new[] { ("{\"system\": {\"host-name\": \"pasted\"}}", "\x03"), ("{\"system\": {\"domain-name\": \"typed.example\"}}", "\x04") })
        {
            tty.Type("load merge terminal\r");
            tty.WaitFor("[Type ^D at a new line to end input]");
            tty.Type(json + "\r" + end);
            Assert.Contains(end == "\x03" ? "error: load aborted by Ctrl-C: nothing was loaded" : "load complete", tty.WaitFor("# "));
        }
        string compare = tty.Run("show | compare", "# ");
        Assert.Contains("+   domain-name typed.example;", compare);
        Assert.DoesNotContain("pasted", compare);
    }

    [Fact]
    public void Tab_completes_configuration_paths_and_enumerated_values()
    {
        using var tty = Terminal();
        tty.Run("configure", "# ");
        tty.Type("set sys\tho\ttcp-box\r");
        tty.WaitFor("# ");
        tty.Type("set system syslog host 192.0.2.9 transport ?");
        tty.WaitFor("Possible completions:");
        string help = tty.WaitFor("transport ");
        Assert.Contains("udp", help);
        Assert.Contains("RFC 6587 over TCP", help);
        tty.Type("t\t\r");
        tty.WaitFor("# ");
        string shown = tty.Run("show system | display set", "# ");
        Assert.Contains("set system host-name tcp-box", shown);
        Assert.Contains("set system syslog host 192.0.2.9 transport tcp", shown);
    }

    /// <summary>Junos's "annotate" (issue 16, item 6): a comment on a statement, relative to the edit level, committed with it.</summary>
    [Fact]
    public async Task Annotate_puts_a_comment_above_a_statement_that_compare_shows_and_commit_keeps()
    {
        var r = await Cpe("configure; set system host-name site-9; set system ntp server 192.0.2.1; edit system; "
            + "annotate host-name \"per work order 42\"; annotate ntp \"the site's own clock\"; top; show | compare; commit; "
            + "run show configuration system; show system | display set");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("+   /* the site's own clock */\n", r.Output);
        Assert.Contains("/* per work order 42 */\nhost-name site-9;\n/* the site's own clock */\nntp {\n", r.Output);
        Assert.DoesNotContain("work order", r.Output[r.Output.LastIndexOf("set system", StringComparison.Ordinal)..]);

        var removed = await Cpe("configure; annotate system host-name \"\"; commit; run show configuration system");
        Assert.DoesNotContain("per work order", removed.Output);
        Assert.Contains("the site's own clock", removed.Output);
        var missing = await Cpe("configure; annotate system domain-name \"x\"");
        Assert.Contains("statement not found", missing.Error);
    }
}
