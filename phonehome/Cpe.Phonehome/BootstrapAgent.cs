using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Cpe.Api;
using Cpe.Phonehome.Discovery;
using Cpe.Phonehome.Logging;
using Cpe.Phonehome.Platform;
using Cpe.Phonehome.Processing;
using Cpe.Sztp;
using Microsoft.Extensions.Logging;

namespace Cpe.Phonehome;

public enum BootstrapOutcome { Complete, Rebooting }

/// <summary>
/// The RFC 8572 §5 state machine (docs/reference/phonehome.md, "State machine"): rounds over the sources in order;
/// each server tried at every address of its name; redirect information followed; onboarding information verified,
/// then processed; a failed server abandoned for the next. Between rounds, jittered exponential backoff.
/// </summary>
public sealed class BootstrapAgent(FactoryIdentity identity, IAgentPlatform platform, IReadOnlyList<IBootstrapSource> sources,
    OnboardingProcessor processor, FirmwareUpdater firmware, ProgressFile progress, Backoff backoff, TimeProvider clock,
    ILogger log, AgentSettings settings)
{
    const int MaxRedirects = 8;
    readonly ProgressReporter _local = new(platform, log);
    // What this round's sources and servers gave (one round at a time: the agent is sequential).
    RoundLog _round = new(clock);

    public async Task<BootstrapOutcome> RunAsync(CancellationToken ct)
    {
        int failedRounds = 0;
        bool announced = false;
        while (true)
        {
            // Nothing found can be applied without cped: wait for it first (it starts alongside the agent at boot).
            if (!await PlatformAnswersAsync(ct))
            {
                await Task.Delay(settings.IdlePoll, clock, ct);
                continue;
            }
            try
            {
                if (!announced && await firmware.SettleAfterRebootAsync(ct) is string settled) AgentLog.BootstrappingAgain(log, settled);
            }
            catch (PlatformUnavailableException)
            {
                continue;
            }
            if (!announced) await _local.StatusAsync("discovering", "looking for bootstrap data", ct);
            announced = true;
            bool anyFound = false;
            _round = new RoundLog(clock);
            foreach (var source in sources)
            {
                IReadOnlyList<Candidate> candidates;
                try { candidates = await source.DiscoverAsync(ct); }
                // One source failing in any way must not stop the others (a missing DNS server, unreadable media, cped restarting).
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    AgentLog.SourceFailed(log, source.Name, e);
                    _round.Add(source.Name, "", ZtpCauses.Source, e.Message);
                    continue;
                }
                foreach (var candidate in candidates)
                {
                    anyFound = true;
                    BootstrapOutcome? outcome;
                    try
                    {
                        outcome = candidate switch
                        {
                            Candidate.Server s => await TryServerAsync(s.Bootstrap, s.From, 0, ct),
                            Candidate.LocalArtifacts a => await TryLocalAsync(a, ct),
                            _ => null,
                        };
                    }
                    catch (PlatformUnavailableException e)
                    {
                        // cped went away mid-processing (a restart): this candidate again next round; done steps are kept.
                        AgentLog.CandidateInterrupted(log, candidate.Origin, e);
                        outcome = null;
                    }
                    if (outcome is BootstrapOutcome done) return done;
                }
            }
            if (!anyFound)
            {
                // Nothing to call yet (no DHCP lease, no media): look again soon; there is no server to spare.
                await Task.Delay(settings.IdlePoll, clock, ct);
                continue;
            }
            var wait = backoff.Delay(failedRounds++);
            bool allRefused = _round.Attempts.Count > 0 && _round.Attempts.All(a => a.Cause is ZtpCauses.Refused or ZtpCauses.Onboarding);
            await _local.StatusAsync(new ZtpStatusParams("discovering",
                $"no source gave usable bootstrap data: {_round.Summary()}; next round in {wait.TotalSeconds:0.0} s",
                allRefused ? "refused" : "unreachable")
            { Attempts = [.. _round.Attempts], NextRound = clock.GetUtcNow() + wait }, ct);
            if (await WaitOrRetryAsync(wait, ct)) AgentLog.RetryRequested(log);
        }
    }

    /// <summary>Waits <paramref name="wait"/>, or less when a technician asks for a retry (true then).</summary>
    async Task<bool> WaitOrRetryAsync(TimeSpan wait, CancellationToken ct)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(wait, clock, either.Token);
        var retry = platform.RetryRequestedAsync(either.Token);
        var first = await Task.WhenAny(delay, retry);
        either.Cancel();
        try { await Task.WhenAll(delay, retry); } catch (OperationCanceledException) { }
        ct.ThrowIfCancellationRequested();
        return first == retry && retry.IsCompletedSuccessfully;
    }

    async Task<bool> PlatformAnswersAsync(CancellationToken ct)
    {
        try
        {
            await platform.InventoryAsync(ct);   // read-only: polling it records nothing
            return true;
        }
        catch (PlatformUnavailableException) { return false; }
    }

    async Task<BootstrapOutcome?> TryLocalAsync(Candidate.LocalArtifacts a, CancellationToken ct)
    {
        AgentLog.ConveyedFound(log, a.From);
        ConveyedDecision decision;
        try { decision = ConveyedDecision.Evaluate(new BootstrappingReply(a.ConveyedInformation, a.OwnerCertificate, a.OwnershipVoucher), false, identity, clock.GetUtcNow(), null); }
        catch (Exception e) when (e is SztpVerificationException or RestconfException)
        {
            _round.Add(a.From, "conveyed information", ZtpCauses.Refused, e.Message);
            await _local.StatusAsync("failed", $"{a.From}: refused: {e.Message}", ct, "refused");
            return null;
        }
        return decision switch
        {
            ConveyedDecision.Onboard o => await OnboardAsync(o, null, a.OwnerCertificate, a.From, _local, ct),
            ConveyedDecision.RedirectTo r => await FollowAsync(r, a.From, 0, ct),
            _ => null,
        };
    }

    async Task<BootstrapOutcome?> TryServerAsync(BootstrapServer server, string from, int depth, CancellationToken ct)
    {
        if (depth > MaxRedirects)
        {
            AgentLog.TooManyRedirects(log, MaxRedirects, server.Uri);
            _round.Add(from, server.Uri.ToString(), ZtpCauses.Refused, $"more than {MaxRedirects} redirects");
            return null;
        }
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(server.Uri.DnsSafeHost, out var literal) ? [literal]
                : await Dns.GetHostAddressesAsync(server.Uri.DnsSafeHost, ct);
        }
        catch (SocketException e)
        {
            AgentLog.CannotResolve(log, server.Uri, from, e);
            _round.Add(from, server.Uri.ToString(), ZtpCauses.Dns, $"cannot resolve {server.Uri.DnsSafeHost}: {e.Message}");
            return null;
        }
        foreach (var address in addresses)
        {
            await _local.StatusAsync("connecting", $"{server.Uri} at {address} (from {from})", ct);
            using var session = new BootstrapSession(server, identity, settings.RequestTimeout, address);
            byte[]? nonce = settings.SendNonce ? RandomNumberGenerator.GetBytes(32) : null;
            var (name, version) = await firmware.RunningAsync(ct);
            BootstrappingReply reply;
            try { reply = await session.GetBootstrappingDataAsync(new BootstrappingRequest(false, settings.Model, name, version, nonce), ct); }
            catch (Exception e) when (e is BootstrapException or RestconfException)
            {
                AgentLog.ServerFailed(log, server.Uri, address, e);
                _round.Add(from, $"{server.Uri} at {address}", RoundLog.CauseOf(e), e.Message);
                continue;
            }
            AgentLog.ServerTrust(log, server.Uri, session.Trusted ? "trusted" : "provisional (not authenticated)");
            var report = new ProgressReporter(platform, log, session, reply.ReportingLevel);
            ConveyedDecision decision;
            try { decision = ConveyedDecision.Evaluate(reply, session.Trusted, identity, clock.GetUtcNow(), nonce); }
            catch (Exception e) when (e is SztpVerificationException or RestconfException)
            {
                // Refused before anything was applied. Only a trusted server hears about it (RFC 8572 §5.6).
                await report.ReportAsync("bootstrap-initiated", null, ct);
                await report.ReportAsync("parsing-error", e.Message, ct);
                _round.Add(from, server.Uri.ToString(), ZtpCauses.Refused, e.Message);
                await _local.StatusAsync("failed", $"{server.Uri}: refused: {e.Message}", ct, "refused");
                return null;
            }
            return decision switch
            {
                ConveyedDecision.Onboard o => await OnboardAsync(o, server, reply.OwnerCertificate, from, report, ct),
                ConveyedDecision.RedirectTo r => await FollowAsync(r, server.Uri.ToString(), depth, ct),
                _ => null,
            };
        }
        return null;
    }

    async Task<BootstrapOutcome?> FollowAsync(ConveyedDecision.RedirectTo redirect, string from, int depth, CancellationToken ct)
    {
        AgentLog.Redirected(log, from, string.Join(", ", redirect.Servers.Select(s => s.Uri)));
        foreach (var next in redirect.Servers)
            if (await TryServerAsync(next, $"redirect from {from}", depth + 1, ct) is BootstrapOutcome done) return done;
        return null;
    }

    async Task<BootstrapOutcome?> OnboardAsync(ConveyedDecision.Onboard onboard, BootstrapServer? server, byte[]? ownerCertificate, string from,
        ProgressReporter report, CancellationToken ct)
    {
        await report.ReportAsync("bootstrap-initiated", $"onboarding information from {from}", ct);
        await report.ReportAsync("parsing-complete", onboard.Signed ? "signed by the owner, voucher verified" : "unsigned, from a trusted server", ct);
        string digest = Convert.ToHexStringLower(SHA256.HashData(onboard.Information.ToJson()));
        var outcome = await processor.ProcessAsync(onboard.Information, digest, report, ct);
        switch (outcome)
        {
            case ProcessingOutcome.Rebooting:
                return BootstrapOutcome.Rebooting;
            case ProcessingOutcome.Failed:
                _round.Add(from, server?.Uri.ToString() ?? "", ZtpCauses.Onboarding, $"onboarding failed ({processor.Failure})");
                await _local.StatusAsync("failed", $"onboarding from {from} failed; trying the next source", ct, processor.Failure);
                return null;
        }
        progress.Update(p => p with
        {
            BootstrapComplete = true,
            CompletedAt = clock.GetUtcNow(),
            Server = server?.Uri.ToString(),
            OwnerCertificate = onboard.Signed ? ownerCertificate : null,
        });
        await report.ReportAsync("bootstrap-complete", null, ct);
        await _local.StatusAsync("complete", $"bootstrapped from {from}", ct);
        return BootstrapOutcome.Complete;
    }
}

/// <summary>The agent's tunables (command line, docs/reference/phonehome.md).</summary>
public sealed record AgentSettings(string Model, TimeSpan RequestTimeout, bool SendNonce)
{
    /// <summary>How soon to look again when no source had anything at all (cped not up yet, no DHCP lease yet).</summary>
    public TimeSpan IdlePoll { get; init; } = TimeSpan.FromMilliseconds(100);
}
