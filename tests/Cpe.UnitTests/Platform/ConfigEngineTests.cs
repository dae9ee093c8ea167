using Cpe.Config;
using Cpe.Platform.Configuration;
using Cpe.Platform.State;

namespace Cpe.UnitTests.Platform;

[Trait("Kind", "Unit")]
public class ConfigEngineTests
{
    static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_blank_box_runs_the_factory_default()
    {
        await using var f = await EngineFixture.StartAsync();
        Assert.Equal("cpe", f.ActiveHostName);
        Assert.Equal("cpe", f.Kernel.Name);
        var only = Assert.Single(f.Engine.History()).Revision;
        Assert.Equal(("system", ConfigSources.System, "factory default"), (only.Author, only.Source, only.Comment));
    }

    [Fact]
    public async Task Commit_applies_every_subsystem_and_records_who_when_where_why()
    {
        await using var f = await EngineFixture.StartAsync();
        var outcome = await f.CommitHostNameAsync("site-17", comment: "first");
        Assert.Equal("site-17", f.Kernel.Name);
        Assert.Equal("site-17", f.Network.Current);
        Assert.Equal("site-17", f.Vnf.Current);
        var (number, rev) = f.Engine.History()[0];
        Assert.Equal(0, number);
        Assert.Equal(outcome.Revision, rev.Id);
        Assert.Equal(("tech", "cli", "first"), (rev.Author, rev.Source, rev.Comment));
        Assert.Equal(f.Clock.GetUtcNow(), rev.CreatedAt);
        Assert.Contains(f.Store.RecentEvents(10), e => e.Type == "commit" && e.Text.Contains("first"));
    }

    [Fact]
    public async Task An_invalid_candidate_is_refused_with_every_error_and_nothing_is_committed()
    {
        await using var f = await EngineFixture.StartAsync();
        await f.Engine.EnterAsync(f.Tech, false, None);
        await f.Engine.LoadAsync(f.Tech, "merge", ConfigDocument.Parse("""{"system":{"host-name":"bad name","time-zone":"nowhere"}}"""), null, None);
        var e = await Assert.ThrowsAsync<ConfigException>(() => f.Engine.CommitAsync(f.Tech, false, null, null, None));
        Assert.Equal(["system host-name", "system time-zone"], e.Errors.Select(x => x.Path).Order().ToArray());
        Assert.Single(f.Engine.History());
        Assert.Equal("cpe", f.Kernel.Name);
    }

    [Fact]
    public async Task A_failing_subsystem_rolls_every_subsystem_back_and_is_named()
    {
        await using var f = await EngineFixture.StartAsync();
        await f.CommitHostNameAsync("good");
        f.Vnf.FailWhen = t => t["system"]?["host-name"]?.GetValue<string>() == "breaks-vnf";
        var e = await Assert.ThrowsAsync<CommitFailedException>(() => f.CommitHostNameAsync("breaks-vnf"));
        Assert.Equal("vnf", e.Subsystem);
        Assert.Contains("subsystem 'vnf'", e.Message);
        // The system and network subsystems had applied the new tree; both are back on "good".
        Assert.Equal("good", f.Kernel.Name);
        Assert.Equal("good", f.Network.Current);
        Assert.Equal(["good", "breaks-vnf", "good"], f.Network.Applied.Skip(1));
        Assert.Equal(2, f.Engine.History().Count);
        Assert.Equal("good", f.ActiveHostName);
    }

    [Fact]
    public async Task A_commit_reads_each_subsystem_s_sections_once()
    {
        await using var f = await EngineFixture.StartAsync();
        int before = f.Network.Prepared;
        await f.CommitHostNameAsync("site-17");
        Assert.Equal(before + 1, f.Network.Prepared);
        Assert.Equal("site-17", f.Network.Current);
    }

    [Fact]
    public async Task Only_a_commit_runs_the_subsystems_checks_a_start_and_a_restore_apply_what_they_can()
    {
        await using var f = await EngineFixture.StartAsync();
        Assert.Equal(0, f.Vnf.Checked);
        await f.CommitHostNameAsync("good");
        Assert.Equal(1, f.Vnf.Checked);
        f.Vnf.FailWhen = t => t["system"]?["host-name"]?.GetValue<string>() == "breaks-vnf";
        await Assert.ThrowsAsync<CommitFailedException>(() => f.CommitHostNameAsync("breaks-vnf"));
        Assert.Equal(2, f.Vnf.Checked);   // the failed commit's check; its restore to "good" checks nothing
        Assert.Equal("good", f.Vnf.Current);
    }

    [Fact]
    public async Task A_subsystem_s_refusal_at_check_fails_the_commit_before_anything_is_applied()
    {
        await using var f = await EngineFixture.StartAsync();
        f.Vnf.RefuseWhen = t => t["system"]?["host-name"]?.GetValue<string>() == "too-big";
        var e = await Assert.ThrowsAsync<ConfigException>(() => f.CommitHostNameAsync("too-big"));
        Assert.Equal("vnf", Assert.Single(e.Errors).Path);
        Assert.Equal("cpe", f.Kernel.Name);
        Assert.DoesNotContain("too-big", f.Network.Applied);
        Assert.Single(f.Engine.History());
    }

    [Fact]
    public async Task Commit_check_validates_without_committing()
    {
        await using var f = await EngineFixture.StartAsync();
        await f.Engine.EnterAsync(f.Tech, false, None);
        await f.Engine.SetAsync(f.Tech, ["system", "host-name", "checked"], None);
        var outcome = await f.Engine.CommitAsync(f.Tech, true, null, null, None);
        Assert.Equal("configuration check succeeds", outcome.Message);
        Assert.Single(f.Engine.History());
        Assert.Equal("cpe", f.Kernel.Name);
    }

    [Fact]
    public async Task Rollback_loads_an_older_revision_into_the_candidate()
    {
        await using var f = await EngineFixture.StartAsync();
        await f.CommitHostNameAsync("one");
        await f.CommitHostNameAsync("two");
        await f.Engine.RollbackAsync(f.Tech, 1, None);
        Assert.Equal("two", f.ActiveHostName);
        Assert.Contains("+   host-name one;", f.Engine.Compare(null));
        await f.Engine.CommitAsync(f.Tech, false, null, null, None);
        Assert.Equal("one", f.Kernel.Name);
        await Assert.ThrowsAsync<NoSuchRevisionException>(() => f.Engine.RollbackAsync(f.Tech, 9, None));
    }

    [Fact]
    public async Task At_least_fifty_revisions_are_kept()
    {
        await using var f = await EngineFixture.StartAsync();
        for (int i = 0; i < 55; i++) await f.CommitHostNameAsync($"h{i}");
        var history = f.Engine.History();
        Assert.Equal(StateStore.KeptRevisions, history.Count);
        Assert.True(StateStore.KeptRevisions >= 50);
        Assert.Equal("h54", ConfigDocument.Parse(history[0].Revision.Document)["system"]!["host-name"]!.GetValue<string>());
        Assert.Equal("h5", ConfigDocument.Parse(history[49].Revision.Document)["system"]!["host-name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Commit_confirmed_reverts_by_itself_when_the_time_runs_out()
    {
        await using var f = await EngineFixture.StartAsync();
        await f.CommitHostNameAsync("stable");
        var outcome = await f.CommitHostNameAsync("risky", confirmMinutes: 5);
        Assert.Equal(f.Clock.GetUtcNow().AddMinutes(5), outcome.ConfirmBy);
        Assert.Equal("risky", f.Kernel.Name);

        f.Clock.Advance(TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(59));
        Assert.Equal("risky", f.Kernel.Name);
        f.Clock.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => f.Kernel.Name == "stable");

        Assert.Equal("stable", f.ActiveHostName);
        var newest = f.Engine.History()[0].Revision;
        Assert.Equal(("system", ConfigSources.System), (newest.Author, newest.Source));
        Assert.Contains(f.Store.RecentEvents(10), e => e.Type == "commit-confirmed-expired" && e.Text.Contains($"revision {outcome.Revision}"));
    }

    [Fact]
    public async Task A_plain_commit_confirms_and_no_rollback_happens()
    {
        await using var f = await EngineFixture.StartAsync();
        await f.CommitHostNameAsync("stable");
        await f.CommitHostNameAsync("risky", confirmMinutes: 5);
        var confirm = await f.Engine.CommitAsync(f.Tech, false, null, null, None);
        Assert.Contains("confirmed", confirm.Message);
        Assert.Null(f.Engine.History()[0].Revision.ConfirmBy);
        f.Clock.Advance(TimeSpan.FromMinutes(10));
        await Task.Delay(50);
        Assert.Equal("risky", f.Kernel.Name);
        Assert.Equal(3, f.Engine.History().Count);
    }

    [Fact]
    public async Task A_pending_confirmation_survives_a_restart_and_still_expires()
    {
        await using var f = await EngineFixture.StartAsync();
        await f.CommitHostNameAsync("stable");
        await f.CommitHostNameAsync("risky", confirmMinutes: 3);
        await f.RestartAsync();
        Assert.Equal("risky", f.ActiveHostName);
        f.Clock.Advance(TimeSpan.FromMinutes(3));
        await WaitUntil(() => f.ActiveHostName == "stable");
        Assert.Equal("stable", f.Kernel.Name);
    }

    [Fact]
    public async Task Exclusive_mode_locks_out_other_editors_and_discards_on_exit()
    {
        await using var f = await EngineFixture.StartAsync();
        var other = new Editor(2, "other", ConfigSources.Cli);
        await f.Engine.EnterAsync(f.Tech, exclusive: true, None);
        await Assert.ThrowsAsync<ConfigLockedException>(() => f.Engine.EnterAsync(other, false, None));
        await f.Engine.SetAsync(f.Tech, ["system", "host-name", "draft"], None);
        await f.Engine.ExitAsync(f.Tech.SessionId, None);
        Assert.False(f.Engine.HasChanges());
        await f.Engine.EnterAsync(other, false, None);
    }

    [Fact]
    public async Task Shared_mode_warns_about_other_editors_and_uncommitted_changes()
    {
        await using var f = await EngineFixture.StartAsync();
        var other = new Editor(2, "other", ConfigSources.Cli);
        await f.Engine.EnterAsync(f.Tech, false, None);
        await f.Engine.SetAsync(f.Tech, ["system", "host-name", "draft"], None);
        var warnings = await f.Engine.EnterAsync(other, false, None);
        Assert.Contains(warnings, w => w.Contains("tech (session 1)"));
        Assert.Contains(warnings, w => w.Contains("changed but not committed"));
        await Assert.ThrowsAsync<ConfigLockedException>(() => f.Engine.EnterAsync(new Editor(3, "x", "cli"), exclusive: true, None));
    }

    [Fact]
    public async Task Edits_outside_configuration_mode_are_refused()
    {
        await using var f = await EngineFixture.StartAsync();
        await Assert.ThrowsAsync<NotConfiguringException>(() => f.Engine.SetAsync(f.Tech, ["system", "host-name", "x"], None));
    }

    [Fact]
    public async Task Stop_refuses_new_commits()
    {
        await using var f = await EngineFixture.StartAsync();
        await f.Engine.EnterAsync(f.Tech, false, None);
        await f.Engine.StopAsync();
        await Assert.ThrowsAsync<ShuttingDownException>(() => f.Engine.CommitAsync(f.Tech, false, null, null, None));
    }

    [Fact]
    public async Task The_candidate_survives_a_restart()
    {
        await using var f = await EngineFixture.StartAsync();
        await f.Engine.EnterAsync(f.Tech, false, None);
        await f.Engine.SetAsync(f.Tech, ["system", "domain-name", "example.net"], None);
        await f.RestartAsync();
        Assert.Equal("example.net", f.Engine.Candidate()["system"]!["domain-name"]!.GetValue<string>());
    }

    static readonly Editor Ztp = new(9, "phonehome", ConfigSources.Ztp);

    [Fact]
    public async Task A_commit_made_under_the_candidate_is_not_undone_unseen_and_update_merges_onto_it()
    {
        await using var f = await EngineFixture.StartAsync();
        await f.CommitHostNameAsync("old");
        await f.Engine.SetAsync(f.Tech, ["system", "domain-name", "tech.example"], None);
        // Zero-touch commits while the technician's change waits in the candidate.
        var ztp = await f.Engine.ApplyDocumentAsync(Ztp, "merge", ConfigDocument.Parse("""{"system":{"host-name":"branch-7"}}"""), null, "bootstrap", None);

        var refused = await Assert.ThrowsAsync<ConfigModifiedException>(() => f.Engine.CommitAsync(f.Tech, false, null, null, None));
        Assert.StartsWith("configuration database modified\n", refused.Message);
        Assert.Contains($"revision {ztp.Revision} by phonehome via zero-touch", refused.Message);
        Assert.Equal("branch-7", f.ActiveHostName);
        Assert.Contains(await f.Engine.EnterAsync(new Editor(2, "other", ConfigSources.Cli), false, None), w => w.Contains("'update' merges"));

        string compare = f.Engine.Compare(null);
        Assert.Contains($"## The active configuration changed after this candidate was started from revision {ztp.Revision - 1}", compare);
        Assert.Contains("+   host-name branch-7;", compare);     // what zero-touch did
        Assert.Contains("+   domain-name tech.example;", compare);
        Assert.Contains("-   host-name branch-7;", compare);     // what a commit now would undo

        string updated = await f.Engine.UpdateAsync(f.Tech, None);
        Assert.Equal($"update complete: the candidate's changes are merged onto revision {ztp.Revision}", updated);
        await f.Engine.CommitAsync(f.Tech, false, null, null, None);
        Assert.Equal("branch-7", f.ActiveHostName);
        Assert.Equal("tech.example", f.Engine.Active()["system"]!["domain-name"]!.GetValue<string>());
        Assert.Null(f.Store.Override());
    }

    [Fact]
    public async Task The_base_of_a_changed_candidate_survives_a_restart_and_a_rollback_starts_afresh()
    {
        await using var f = await EngineFixture.StartAsync();
        await f.Engine.EnterAsync(f.Tech, false, None);
        await f.Engine.SetAsync(f.Tech, ["system", "domain-name", "tech.example"], None);
        await f.Engine.ApplyDocumentAsync(Ztp, "merge", ConfigDocument.Parse("""{"system":{"host-name":"branch-7"}}"""), null, null, None);
        await f.RestartAsync();
        await f.Engine.EnterAsync(f.Tech, false, None);
        await Assert.ThrowsAsync<ConfigModifiedException>(() => f.Engine.CommitAsync(f.Tech, false, null, null, None));
        await f.Engine.RollbackAsync(f.Tech, 0, None);
        Assert.Null(f.Engine.Diverged());
        await f.Engine.SetAsync(f.Tech, ["system", "domain-name", "again.example"], None);
        await f.Engine.CommitAsync(f.Tech, false, null, null, None);
        Assert.Equal("branch-7", f.ActiveHostName);
    }

    [Fact]
    public async Task A_technician_overriding_what_zero_touch_set_is_recorded_until_it_is_back()
    {
        await using var f = await EngineFixture.StartAsync();
        var ztp = await f.Engine.ApplyDocumentAsync(Ztp, "merge", ConfigDocument.Parse("""{"system":{"host-name":"branch-7","domain-name":"fleet.example"}}"""), null, null, None);
        Assert.Equal(ztp.Revision, f.Store.Provisioned()!.Revision);

        var local = await f.CommitHostNameAsync("my-name");
        var o = f.Store.Override()!;
        Assert.Equal((local.Revision, "tech"), (o.Revision, o.Author));
        Assert.Equal(["set system host-name branch-7"], o.Statements);
        Assert.Contains(f.Store.RecentEvents(5), e => e.Type == "config-override" && e.Text.Contains("zero-touch set in revision " + ztp.Revision));

        await f.CommitHostNameAsync("branch-7");
        Assert.Null(f.Store.Override());
    }

    [Fact]
    public async Task After_an_automatic_rollback_a_changed_candidate_cannot_be_committed_unseen()
    {
        await using var f = await EngineFixture.StartAsync();
        var pending = await f.CommitHostNameAsync("risky", confirmMinutes: 1);
        await f.Engine.SetAsync(f.Tech, ["system", "domain-name", "more.example"], None);
        await f.Engine.RevertUnconfirmedAsync(pending.Revision);
        var e = await Assert.ThrowsAsync<ConfigModifiedException>(() => f.Engine.CommitAsync(f.Tech, false, null, null, None));
        Assert.Contains("via the box", e.Message);
        Assert.Contains("automatic rollback", e.Message);
        // Somebody has to look: the alarm stays until a person commits again.
        Assert.Contains(f.Store.ActiveAlarms(), a => a.Type == ConfigEngine.RolledBackAlarm && a.Severity == "major");
        await f.Engine.UpdateAsync(f.Tech, None);
        Assert.Contains(f.Store.ActiveAlarms(), a => a.Type == ConfigEngine.RolledBackAlarm);
        await f.Engine.CommitAsync(f.Tech, false, null, null, None);
        Assert.DoesNotContain(f.Store.ActiveAlarms(), a => a.Type == ConfigEngine.RolledBackAlarm);
        Assert.Equal("more.example", f.Engine.Active()["system"]!["domain-name"]!.GetValue<string>());
        Assert.NotEqual("risky", f.ActiveHostName);
    }

    static async Task WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }
}
