using Cpe.TestKit;

namespace Cpe.IntegrationTests.Platform;

/// <summary>The foundation issue's acceptance sequence, with the real cped and cpe binaries.</summary>
[Trait("Kind", "Integration")]
public sealed class AcceptanceTests : DaemonTest
{
    [Fact]
    public async Task Commit_show_rollback_and_history()
    {
        var first = await Cpe("configure; set system host-name site-17; commit comment first");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("commit complete", first.Output);
        Assert.Equal("site-17", Cped.KernelHostName());

        var shown = await Cpe("show configuration system host-name");
        Assert.Equal("host-name site-17;\n", shown.Output);

        var rollback = await Cpe("configure; rollback 1; commit");
        Assert.True(rollback.ExitCode == 0, rollback.ToString());
        Assert.Equal("host-name cpe;\n", (await Cpe("show configuration system host-name")).Output);
        Assert.Equal("cpe", Cped.KernelHostName());

        var history = await Cpe("show system commit");
        var lines = history.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^0 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by root via cli \(revision \d+\)$", lines[0]);
        Assert.Matches(@"^1 +.* by root via cli \(revision \d+\)$", lines[1]);
        Assert.Equal("    first", lines[2]);
        Assert.Matches(@"^2 +.* by system via system \(revision \d+\)$", lines[3]);
        // Rollback indexes count back from the active configuration; revision numbers (the log's) count up.
        long Revision(string line) => long.Parse(System.Text.RegularExpressions.Regex.Match(line, @"\(revision (\d+)\)").Groups[1].Value);
        Assert.Equal([Revision(lines[3]) + 2, Revision(lines[3]) + 1], new[] { Revision(lines[0]), Revision(lines[1]) });
        Assert.Equal("    factory default", lines[4]);
    }

    [Fact]
    public async Task Times_are_shown_in_the_configured_time_zone_with_its_offset()
    {
        var set = await Cpe("configure; set system time-zone Asia/Kolkata; commit; exit; show system uptime; show system commit");
        Assert.True(set.ExitCode == 0, set.ToString());
        // Kolkata has no daylight saving time: always UTC+5:30.
        var now = System.Text.RegularExpressions.Regex.Match(set.Output, @"Current time: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \+0530\n");
        Assert.True(now.Success, set.Output);
        var shown = DateTime.ParseExact(now.Groups[1].Value, "yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(shown - DateTime.UtcNow, TimeSpan.FromHours(5.5) - TimeSpan.FromMinutes(1), TimeSpan.FromHours(5.5) + TimeSpan.FromMinutes(1));
        Assert.Matches(@"\n0 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0530 by root via cli \(revision \d+\)\n", set.Output);

        // Whole hours show as +HH; a zone this box does not know leaves the times in UTC, and says so.
        var berlin = await Cpe("configure; set system time-zone Etc/GMT-3; commit; exit; show system uptime");
        Assert.Matches(@"Current time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+03\n", berlin.Output);
        var unknown = await Cpe("configure; set system time-zone Europe/Atlantis; commit; exit; show system uptime");
        Assert.True(unknown.ExitCode == 0, unknown.ToString());
        Assert.Matches(@"Current time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\n", unknown.Output);
    }

    [Fact]
    public async Task A_bad_host_name_names_the_path_and_rule_and_commits_nothing()
    {
        var result = await Cpe("configure; set system host-name \"bad name\"; commit");
        Assert.Equal(5, result.ExitCode);
        Assert.Contains("error: system host-name: 'bad name' must be a host name", result.Error);
        Assert.DoesNotContain("commit complete", result.Output);
        var history = await Cpe("show system commit");
        Assert.Matches(@"^0 +.* by system via system \(revision \d+\)\n    factory default\n$", history.Output);
    }

    [Fact]
    public async Task Show_pipes_and_display_formats()
    {
        await Cpe("configure; set system host-name pipes; set system ntp server 192.0.2.1; set system ntp server 192.0.2.2; commit");
        Assert.Equal("set system host-name pipes\nset system ntp server 192.0.2.1\nset system ntp server 192.0.2.2\n",
            (await Cpe("show configuration | display set")).Output);
        Assert.Equal("        server 192.0.2.2;\n", (await Cpe("show configuration | match 192.0.2.2")).Output);
        Assert.Equal("Count: 2 lines\n", (await Cpe("show configuration system ntp | display set | count")).Output);
        var json = (await Cpe("show configuration | display json")).Output;
        Assert.Contains("\"schema-version\": 1", json);
        Assert.Contains("\"host-name\": \"pipes\"", json);
    }

    [Fact]
    public async Task Load_merge_from_a_file_and_compare()
    {
        string file = Path.Combine(Cped.StateDirectory, "site.json");
        await File.WriteAllTextAsync(file, """{"schema-version":1,"system":{"domain-name":"example.net","login":{"banner":"Site 17"}}}""");
        var result = await Cpe($"configure; load merge {file}; show | compare; commit comment loaded");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("+   domain-name example.net;", result.Output);
        Assert.Contains("banner \"Site 17\";", (await Cpe("show configuration system login")).Output);
    }

    [Fact]
    public async Task Commit_confirmed_is_listed_and_a_plain_commit_confirms_it()
    {
        var pending = await Cpe("configure; set system host-name risky; commit confirmed 5");
        Assert.Contains("rolled back in 5 minute(s)", pending.Output);
        Assert.Contains("commit confirmed, rollback at", (await Cpe("show system commit")).Output);
        var confirm = await Cpe("configure; commit");
        Assert.Contains("commit confirmed; rollback cancelled", confirm.Output);
        Assert.DoesNotContain("rollback at", (await Cpe("show system commit")).Output);
    }

    [Fact]
    public async Task Operational_commands_answer()
    {
        var r = await Cpe("show version; show system uptime; show system users; show system alarms; show log 5");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Software: CPE firmware", r.Output);
        Assert.Matches(@"^Hostname: \S+\nModel: ", r.Output);   // as Junos starts it
        Assert.Contains("Runtime: .NET", r.Output);
        Assert.Contains("(NativeAOT)", r.Output);
        Assert.Contains("System booted:", r.Output);
        Assert.Matches(@"\d+ +root +admin +cpe +\d+", r.Output);
        Assert.Contains("No alarms currently active", r.Output);
        Assert.Contains("daemon-started", r.Output);
    }

    [Fact]
    public async Task Commands_from_standard_input()
    {
        var r = await CliProcess.RunAsync(Cped.SocketPath, "", stdin: "configure\nset system host-name from-stdin\ncommit\n");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("from-stdin", Cped.KernelHostName());
    }

    [Fact]
    public async Task A_syntax_error_is_one_clear_line_and_exit_code_1()
    {
        var r = await Cpe("show systen");
        Assert.Equal(1, r.ExitCode);
        // Every keyword 'show' takes, as the grammar has them (so a new show command does not change this test).
        var choices = global::Cpe.Cli.Shell.Grammar.Operational.First(c => c.Name == "show").Children.Select(c => c.Name).Order(StringComparer.Ordinal);
        Assert.Equal($"error: syntax error: 'systen' is not valid after 'show'; expected one of: {string.Join(", ", choices)}\n", r.Error);
        Assert.Contains("expected one of: arp, bridge, chain, chassis, configuration, ", r.Error);
    }

    [Fact]
    public async Task An_unreachable_daemon_is_exit_code_3()
    {
        var r = await CliProcess.RunAsync(Path.Combine(Cped.StateDirectory, "nowhere.sock"), "show version");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("cannot reach cped", r.Error);
    }
}
