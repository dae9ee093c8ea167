using Cpe.Api;
using Cpe.Config;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Platform;

/// <summary>
/// Zero-touch commits while a technician has uncommitted changes (issue 16, item 1): the technician's session is told
/// at once, "commit" refuses to undo it unseen, "show | compare" shows the three-way picture, "update" merges.
/// On a real pseudo-terminal at 80×24, against a running cped.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class ConfigurationModifiedTests : DaemonTest
{
    [Fact]
    public async Task A_zero_touch_commit_under_a_technician_s_candidate_is_told_refused_at_commit_shown_three_way_and_merged_by_update()
    {
        using var tty = Terminal();
        tty.Run("configure", "# ");
        tty.Run("set system domain-name tech.example", "# ");
        await using var api = await Cped.ConnectAsync();
        var ztp = await api.ProvisionCommitAsync(new ProvisionCommitParams("merge",
            ConfigDocument.Parse("""{"system":{"host-name":"branch-7"}}"""), "ztp", Comment: "bootstrap"));

        // Told while at the prompt, without typing anything.
        string told = tty.WaitFor("'update' merges the candidate's changes onto it");
        Assert.Contains($"revision {ztp.Revision} committed by root via ztp: bootstrap", told);
        tty.WaitFor("root@cpe# ");   // the prompt, written again below the message

        // The prompt now carries the host name zero-touch set.
        const string Prompt = "root@branch-7# ";
        string refused = tty.Run("commit", Prompt);
        Assert.Contains("error: configuration database modified", refused);
        Assert.Contains($"committing the candidate as it is would undo it", refused);
        Assert.Equal("branch-7", (await api.GetConfigAsync("active")).Document["system"]!["host-name"]!.GetValue<string>());

        string compare = tty.Run("show | compare | no-more", Prompt);
        Assert.Contains($"## The active configuration changed after this candidate was started from revision {ztp.Revision - 1}", compare);
        Assert.Contains("## The candidate's own changes", compare);
        Assert.Contains("-   host-name branch-7;", compare);

        Assert.Contains($"update complete: the candidate's changes are merged onto revision {ztp.Revision}", tty.Run("update", Prompt));
        Assert.Contains("commit complete", tty.Run("commit", Prompt));
        var active = (await api.GetConfigAsync("active")).Document["system"]!;
        Assert.Equal(("branch-7", "tech.example"), (active["host-name"]!.GetValue<string>(), active["domain-name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_local_commit_that_takes_away_what_zero_touch_set_is_in_the_inventory_the_agent_reports()
    {
        await using var api = await Cped.ConnectAsync();
        await api.ProvisionCommitAsync(new ProvisionCommitParams("merge", ConfigDocument.Parse("""{"system":{"host-name":"branch-7"}}"""), "ztp"));
        Assert.Null((await api.InventoryAsync()).Override);

        var result = await Cpe("configure; set system host-name mine; commit");
        Assert.Equal(0, result.ExitCode);
        var o = (await api.InventoryAsync()).Override!;
        Assert.Equal(["set system host-name branch-7"], o.Statements);
        Assert.Equal("root", o.User);
        Assert.Contains("config-override", (await Cpe("show log 5")).Output);
    }

    /// <summary>
    /// A commit confirmed nobody confirms (issue 16, item 9), waited out for real: every session is told as Junos
    /// broadcasts it, the alarm stays until a person commits, and "show system commit" gives each revision's
    /// rollback index and its absolute number.
    /// </summary>
    [Fact]
    public async Task An_unconfirmed_commit_rolls_back_by_itself_is_told_to_every_session_and_raises_an_alarm_until_a_person_commits()
    {
        using var editing = Terminal();
        using var watching = Terminal();
        editing.Run("configure", "# ");
        editing.Run("set system domain-name trial.example", "# ");
        Assert.Contains("commit confirmed will be automatically rolled back in 1 minute(s)", editing.Run("commit confirmed 1", "# "));
        var limit = TimeSpan.FromSeconds(100);
        foreach (var (tty, prompt) in new[] { (editing, "root@cpe# "), (watching, "root@cpe> ") })
        {
            string told = tty.WaitFor("shows what the candidate still holds", limit).Replace("\r", "");
            Assert.Contains("Message from cpe at ", told);
            Assert.Contains("commit confirmed of revision 2 was not confirmed by ", told.Replace("\n", " "));
            tty.WaitFor(prompt);   // written again below the message
        }
        Assert.DoesNotContain("trial.example", (await Cpe("show configuration system")).Output);

        string alarms = watching.Run("show system alarms", "> ");
        Assert.Contains("commit-rolled-back", alarms);
        string history = watching.Run("show system commit", "> ");
        Assert.Matches(@"0 +\S+ \S+ UTC by system via system \(revision 3\)", history);
        Assert.Contains("automatic rollback: commit confirmed of revision 2", history);
        // The change is still in the technician's candidate; committing it again is a person's commit: the alarm clears.
        Assert.Contains("commit complete", editing.Run("commit", "# "));
        Assert.DoesNotContain("commit-rolled-back", watching.Run("show system alarms", "> "));
    }
}
