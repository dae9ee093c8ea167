using System.Text.Json.Nodes;
using Cpe.Api;
using Cpe.Phonehome.Platform;
using Cpe.Phonehome.Processing;
using Cpe.Sztp;

namespace Cpe.Phonehome.Fleet;

/// <summary>
/// The VNF package versions the fleet wants (docs/reference/fleet-checkin.md, "VNF packages"): each is added to the
/// box's image store by cped (downloaded with the IDevID, checked against the answer's SHA-256 and the package's
/// signature), then every configured VNF that runs another version of the package is switched to it in one commit,
/// made with "commit confirmed" and confirmed by the next check-in, like a fleet configuration: a switch that cuts the
/// box off the server reverts by itself. A version refused, or rolled back, is given up on and reported; a download
/// that failed is tried again after a wait (1 min, doubled per failure, at most 4 h).
/// </summary>
public sealed class VnfUpdater(IAgentPlatform platform, ProgressFile progress, TimeProvider clock)
{
    readonly Dictionary<string, (int Failures, DateTimeOffset NotBefore)> _retry = new(StringComparer.Ordinal);

    /// <summary>The box's VNFs for the check-in, with whether a switch still waits for its confirmation.</summary>
    public async Task<VnfReport?> ReportAsync(CancellationToken ct) =>
        await platform.VnfsAsync(ct) is { } report ? report with { Unconfirmed = progress.Load().VnfUnconfirmed is { Length: > 0 } } : null;

    /// <summary>At a check-in that reached the server: confirms a pending switch, or records that cped rolled it back. Null when none was pending.</summary>
    public async Task<string?> ConfirmAsync(CancellationToken ct)
    {
        if (progress.Load().VnfUnconfirmed is not { Length: > 0 } pending) return null;
        if (await platform.ConfirmAsync(ct))
        {
            progress.Update(p => p with { VnfUnconfirmed = null });
            return $"VNF packages {string.Join(", ", pending)} confirmed";
        }
        var now = clock.GetUtcNow();
        progress.Update(p => p.WithVnfFailures(pending.Select(VnfPackageReference.Split)
            .Select(r => new VnfFailure(r.Name, r.Version, "rolled back: not confirmed in time (did it cut the box off the server?)", now))) with
        { VnfUnconfirmed = null });
        return $"the switch to VNF packages {string.Join(", ", pending)} was rolled back before it could be confirmed";
    }

    /// <summary>
    /// Adds the wanted packages the box lacks (before the check-in's configuration is committed: it may name them);
    /// returns what it did or why not (null: nothing to do).
    /// </summary>
    public async Task<string?> AddAsync(DesiredVnf[] wanted, CancellationToken ct)
    {
        if (wanted.Length == 0) return null;
        if (await platform.VnfsAsync(ct) is not { } box) return $"the fleet wants VNF packages {string.Join(", ", wanted.Select(w => w.Reference))}; this box runs no VNFs";
        var state = progress.Load();
        var said = new List<string>();
        var failures = new List<VnfFailure>();
        foreach (var w in wanted)
        {
            if (GivenUp(state, w) is { } gaveUp) said.Add($"VNF package {w.Reference} given up on: {gaveUp.Reason}");
            else if (!box.Packages.Contains(w.Reference))
            {
                var (what, failure) = await AddAsync(w, ct);
                said.Add(what);
                if (failure is not null) failures.Add(failure);
            }
        }
        if (failures.Count > 0) progress.Update(p => p.WithVnfFailures(failures));
        return said.Count > 0 ? string.Join("; ", said) : null;
    }

    /// <summary>
    /// Switches every configured VNF that runs another version of a wanted package the store holds, in one commit;
    /// returns what it did (null: nothing to do). Nothing is switched while another fleet commit waits for its
    /// confirmation: one "commit confirmed" at a time.
    /// </summary>
    public async Task<string?> SwitchAsync(DesiredVnf[] wanted, int confirmMinutes, CancellationToken ct)
    {
        if (wanted.Length == 0) return null;
        var state = progress.Load();
        if (state.FleetUnconfirmed || state.VnfUnconfirmed is { Length: > 0 } || await platform.VnfsAsync(ct) is not { } box) return null;
        var switches = (from w in wanted
                        where box.Packages.Contains(w.Reference) && GivenUp(state, w) is null
                        from vnf in box.Instances.Where(i => VnfPackageReference.Split(i.Package).Name == w.Name && i.Package != w.Reference).Select(i => i.Vnf).Distinct()
                        select (vnf, w)).ToList();
        if (switches.Count == 0) return null;
        var failures = new List<VnfFailure>();
        string said = await SwitchAsync(switches, confirmMinutes, failures, ct);
        if (failures.Count > 0) progress.Update(p => p.WithVnfFailures(failures));
        return said;
    }

    static VnfFailure? GivenUp(AgentProgress state, DesiredVnf w) => state.VnfFailures?.LastOrDefault(f => f.Name == w.Name && f.Version == w.Version);

    /// <summary>Adds one package from the first URI cped downloads; returns what happened, and a failure when it is given up on.</summary>
    async Task<(string Said, VnfFailure? GivenUp)> AddAsync(DesiredVnf w, CancellationToken ct)
    {
        if (_retry.TryGetValue(w.Reference, out var wait) && clock.GetUtcNow() < wait.NotBefore)
            return ($"VNF package {w.Reference} not downloaded yet; tried again after {wait.NotBefore:u}", null);
        if (w.DownloadUris.Length == 0 || w.Sha256 is null)
            return Give(w, "the server gave no download for it (not in its VNF package repository?)");
        string? error = null;
        foreach (string uri in w.DownloadUris)
        {
            try
            {
                await platform.AddVnfPackageAsync(uri, w.Sha256, ct);
                _retry.Remove(w.Reference);
                return ($"VNF package {w.Reference} added", null);
            }
            catch (RpcException e) when (e.Code == RpcErrorCodes.DownloadFailed) { error = e.Message; }
            catch (RpcException e) when (e.Code is RpcErrorCodes.InvalidParams or RpcErrorCodes.PermissionDenied) { return Give(w, "refused: " + e.Message); }
        }
        int failures = _retry.TryGetValue(w.Reference, out var last) ? last.Failures + 1 : 1;
        var next = FirmwareUpdater.RetryWait(failures);
        _retry[w.Reference] = (failures, clock.GetUtcNow() + next);
        return ($"VNF package {w.Reference} not downloaded: {error}; tried again in {next.TotalMinutes:0} min", null);
    }

    (string, VnfFailure) Give(DesiredVnf w, string reason) => ($"VNF package {w.Reference} {reason}", new VnfFailure(w.Name, w.Version, reason, clock.GetUtcNow()));

    /// <summary>One commit confirmed that moves each VNF to its new package version; a refused commit gives the versions up.</summary>
    async Task<string> SwitchAsync(List<(string Vnf, DesiredVnf To)> switches, int confirmMinutes, List<VnfFailure> failures, CancellationToken ct)
    {
        var entries = new JsonArray([.. switches.Select(s => (JsonNode)new JsonObject { ["name"] = s.Vnf, ["package"] = s.To.Reference })]);
        string[] packages = [.. switches.Select(s => s.To.Reference).Distinct()];
        string what = string.Join(", ", switches.Select(s => $"{s.Vnf} to {s.To.Reference}"));
        try
        {
            var commit = await platform.CommitAsync(new ProvisionCommitParams("merge", new JsonObject { ["vnfs"] = new JsonObject { ["vnf"] = entries } }, "fleet",
                confirmMinutes, $"fleet VNF packages: {what}"), ct);
            progress.Update(p => p with { VnfUnconfirmed = packages });
            return $"VNFs switched ({what}) as revision {commit.Revision}, confirm within {confirmMinutes} min";
        }
        catch (RpcException e) when (e.Code is RpcErrorCodes.ConfigInvalid or RpcErrorCodes.CommitFailed)
        {
            string reason = "commit refused: " + (e.Details?.Errors is { Length: > 0 } errors ? $"{e.Message}: {string.Join("; ", errors.Select(x => $"{x.Path}: {x.Message}"))}" : e.Message);
            var now = clock.GetUtcNow();
            failures.AddRange(switches.Select(s => s.To).DistinctBy(t => t.Reference).Select(t => new VnfFailure(t.Name, t.Version, reason, now)));
            return $"VNF switch ({what}) {reason}";
        }
    }
}
