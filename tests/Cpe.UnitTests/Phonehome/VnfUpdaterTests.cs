using Cpe.Api;
using Cpe.Phonehome.Fleet;
using Cpe.Phonehome.Processing;
using Cpe.Sztp;
using Cpe.TestKit;

namespace Cpe.UnitTests.Phonehome;

/// <summary>The agent's side of VNF deployments: add the package, switch the VNFs in one confirmed commit, give up on refusals, retry downloads.</summary>
[Trait("Kind", "Unit")]
public sealed class VnfUpdaterTests : IDisposable
{
    static readonly DateTimeOffset T0 = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    readonly TempFolder _state = new("cpe-agent-");
    readonly FakePlatform _platform = new() { Packages = ["firewall:1.0.0", "nat:0.1.0"] };
    readonly ProgressFile _progress;
    readonly ManualClock _clock = new(T0);
    readonly VnfUpdater _vnfs;

    public VnfUpdaterTests()
    {
        _progress = new ProgressFile(_state.Path);
        _vnfs = new VnfUpdater(_platform, _progress, _clock);
        _platform.Instances.AddRange([new("fw-0", "fw", "firewall:1.0.0", "running"), new("fw-1", "fw", "firewall:1.0.0", "running"),
            new("edge-0", "edge", "firewall:1.0.0", "running"), new("nat-0", "nat", "nat:0.1.0", "running")]);
    }

    public void Dispose() => _state.Dispose();

    /// <summary>What a check-in does: the packages first, then (after the configuration) the switch.</summary>
    async Task<string?> Apply(DesiredVnf[] wanted)
    {
        var said = new[] { await _vnfs.AddAsync(wanted, default), await _vnfs.SwitchAsync(wanted, 3, default) }.OfType<string>().ToArray();
        return said.Length > 0 ? string.Join("; ", said) : null;
    }

    static DesiredVnf Wanted(string name, string version) =>
        new(name, version) { DownloadUris = [$"https://server/vnf-packages/{name}/{version}"], Sha256 = new string('a', 64) };

    [Fact]
    public async Task A_new_version_is_added_then_every_VNF_of_the_package_switches_in_one_confirmed_commit()
    {
        string? said = await Apply([Wanted("firewall", "2.0.0")]);
        Assert.Equal(["vnf add https://server/vnf-packages/firewall/2.0.0", "commit fleet merge confirm 3"], _platform.Calls);
        var vnf = _platform.Commits.Single().Document["vnfs"]!["vnf"]!.AsArray();
        Assert.Equal("""[{"name":"fw","package":"firewall:2.0.0"},{"name":"edge","package":"firewall:2.0.0"}]""", vnf.ToJsonString());
        Assert.Contains("VNF package firewall:2.0.0 added", said);
        Assert.Equal(["firewall:2.0.0"], _progress.Load().VnfUnconfirmed!);
        Assert.True((await _vnfs.ReportAsync(default))!.Unconfirmed);

        // Nothing more while the switch waits for its confirmation; the next check-in confirms it.
        Assert.Null(await Apply([Wanted("firewall", "2.0.0")]));
        Assert.Equal("VNF packages firewall:2.0.0 confirmed", await _vnfs.ConfirmAsync(default));
        Assert.Null(_progress.Load().VnfUnconfirmed);
        Assert.Null(await _vnfs.ConfirmAsync(default));   // nothing pending any more
    }

    [Fact]
    public async Task A_switch_cped_rolled_back_is_given_up_and_reported_and_never_tried_again()
    {
        await Apply([Wanted("firewall", "2.0.0")]);
        _platform.ConfirmAnswer = false;
        Assert.Contains("rolled back", await _vnfs.ConfirmAsync(default));
        var failure = Assert.Single(_progress.Load().VnfFailures!);
        Assert.Equal(("firewall", "2.0.0"), (failure.Name, failure.Version));
        Assert.StartsWith("rolled back", failure.Reason);
        _platform.Calls.Clear();
        Assert.Contains("given up on", await Apply([Wanted("firewall", "2.0.0")]));
        Assert.Empty(_platform.Calls);
    }

    [Fact]
    public async Task A_refused_package_is_given_up_and_a_failed_download_waits_before_it_is_tried_again()
    {
        _platform.PackageAdmission = uri => uri.Contains("nat") ? new RpcException(RpcErrorCodes.InvalidParams, "nat.tar is not signed")
            : new RpcException(RpcErrorCodes.DownloadFailed, "HTTP 503");
        string? said = await Apply([Wanted("firewall", "2.0.0"), Wanted("nat", "0.2.0")]);
        Assert.Contains("firewall:2.0.0 not downloaded: HTTP 503; tried again in 1 min", said);
        Assert.Contains("nat:0.2.0 refused: nat.tar is not signed", said);
        Assert.Equal(("nat", "0.2.0"), Assert.Single(_progress.Load().VnfFailures!) is var f ? (f.Name, f.Version) : default);
        Assert.Empty(_platform.Commits);

        _platform.Calls.Clear();
        said = await Apply([Wanted("firewall", "2.0.0"), Wanted("nat", "0.2.0")]);
        Assert.Empty(_platform.Calls);   // the download waits its minute; the refused package is never asked for again
        Assert.Contains("not downloaded yet", said);

        _platform.PackageAdmission = _ => null;
        _clock.Advance(TimeSpan.FromMinutes(1));
        await Apply([Wanted("firewall", "2.0.0")]);
        Assert.Equal(["vnf add https://server/vnf-packages/firewall/2.0.0", "commit fleet merge confirm 3"], _platform.Calls);
    }

    [Fact]
    public async Task A_refused_switch_gives_the_version_up_and_nothing_switches_while_a_fleet_configuration_waits()
    {
        _progress.Update(p => p with { FleetUnconfirmed = true, FleetRevision = 7 });
        Assert.Equal("VNF package firewall:2.0.0 added", await Apply([Wanted("firewall", "2.0.0")]));   // downloading is no commit
        Assert.Empty(_platform.Commits);
        _progress.Update(p => p with { FleetUnconfirmed = false });

        _platform.CommitFailure = new RpcException(RpcErrorCodes.ConfigInvalid, "commit check failed");
        Assert.Contains("commit refused: commit check failed", await Apply([Wanted("firewall", "2.0.0")]));
        Assert.Equal("commit refused: commit check failed", Assert.Single(_progress.Load().VnfFailures!).Reason);
        Assert.Null(_progress.Load().VnfUnconfirmed);
    }

    [Fact]
    public async Task A_box_without_a_VNF_runtime_says_so_and_one_already_current_does_nothing()
    {
        Assert.Null(await Apply([Wanted("nat", "0.1.0")]));
        Assert.Empty(_platform.Calls);
        _platform.Packages = null;
        Assert.Contains("this box runs no VNFs", await Apply([Wanted("nat", "0.2.0")]));
        Assert.Null(await _vnfs.ReportAsync(default));
    }
}
