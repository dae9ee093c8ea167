using System.Text.Json;
using System.Text.Json.Nodes;
using Cpe.Api;
using Cpe.Phonehome.Logging;
using Cpe.Phonehome.Platform;
using Cpe.Sztp;

namespace Cpe.Phonehome.Processing;

public enum ProcessingOutcome { Complete, Rebooting, Failed }

/// <summary>
/// RFC 8572 §5.6 in its order: boot image → pre-configuration script → configuration → post-configuration script,
/// stopping at the first error. Each step completed is written to the progress file under the digest of the
/// verified conveyed information, so an agent killed midway resumes with the step it was in.
/// </summary>
public sealed class OnboardingProcessor(IAgentPlatform platform, FirmwareUpdater firmware, ProgressFile progress, TimeSpan scriptTimeout)
{
    public const string BootImageStep = "boot-image", PreScriptStep = "pre-script", ConfigStep = "config", PostScriptStep = "post-script";

    public async Task<ProcessingOutcome> ProcessAsync(ConveyedInformation.Onboarding info, string digest, ProgressReporter report, CancellationToken ct)
    {
        var resumed = progress.Load();
        bool resuming = resumed.ConveyedDigest == digest && resumed.Completed.Length > 0;
        if (resuming) AgentLog.Resuming(report.Log, string.Join(", ", resumed.Completed));
        else progress.Update(p => p with { ConveyedDigest = digest, Completed = [], RebootingInto = null });
        var done = resuming ? resumed.Completed.ToHashSet() : [];
        Failure = null;

        if (info.BootImage is BootImage image && !done.Contains(BootImageStep))
        {
            var outcome = await BootImageAsync(image, report, ct);
            if (outcome == ProcessingOutcome.Failed) Failure = "boot-image";
            if (outcome != ProcessingOutcome.Complete) return outcome;
            Complete(BootImageStep, digest);
        }
        if (info.PreConfigurationScript is byte[] pre && !done.Contains(PreScriptStep))
        {
            if (!await ScriptAsync("pre", pre, report, ct)) return Failed("script");
            Complete(PreScriptStep, digest);
        }
        if (info.Configuration is byte[] configuration && !done.Contains(ConfigStep))
        {
            if (!await ConfigurationAsync(configuration, info.ConfigurationHandling ?? "merge", report, ct)) return Failed("configuration");
            Complete(ConfigStep, digest);
        }
        if (info.PostConfigurationScript is byte[] post && !done.Contains(PostScriptStep))
        {
            if (!await ScriptAsync("post", post, report, ct)) return Failed("script");
            Complete(PostScriptStep, digest);
        }
        return ProcessingOutcome.Complete;
    }

    /// <summary>After a failed processing, the failure's class for the status LED: boot-image, script or configuration.</summary>
    public string? Failure { get; private set; }

    ProcessingOutcome Failed(string failure)
    {
        Failure = failure;
        return ProcessingOutcome.Failed;
    }

    void Complete(string step, string digest) =>
        progress.Update(p => p with { ConveyedDigest = digest, Completed = [.. p.Completed.Where(s => s != step), step] });

    /// <summary>
    /// RFC 8572 §5.6's boot image: when the box runs another os-name/os-version, cped's installer streams the bundle
    /// into the inactive slot (checking its vendor signature and this sha-256), then the box reboots into it. A
    /// version given up on before (refused, or it fell back) is an error at once, not another install.
    /// </summary>
    async Task<ProcessingOutcome> BootImageAsync(BootImage image, ProgressReporter report, CancellationToken ct)
    {
        await report.ReportAsync("boot-image-initiated", null, ct);
        var (name, version) = await firmware.RunningAsync(ct);
        if ((image.OsName is null || image.OsName == name) && (image.OsVersion is null || image.OsVersion == version))
        {
            await report.ReportAsync("boot-image-complete", $"running {name} {version}", ct);
            return ProcessingOutcome.Complete;
        }
        await report.ReportAsync("boot-image-mismatch", $"running {name} {version}, wanted {image.OsName} {image.OsVersion}", ct);
        if (image.OsName is not null && image.OsName != FirmwareUpdater.OsName)
        {
            await report.ReportAsync("boot-image-error", $"this box runs only {FirmwareUpdater.OsName} firmware, not {image.OsName}", ct);
            return ProcessingOutcome.Failed;
        }
        string wanted = image.OsVersion ?? "(unnamed)";
        if (firmware.GivenUp(wanted) is { } failure)
        {
            await report.ReportAsync("boot-image-error", $"firmware {wanted} was given up on at {failure.Time:u} ({failure.Reason}); not installing it again", ct);
            return ProcessingOutcome.Failed;
        }
        var sha256 = image.Verification.FirstOrDefault(h => h.Algorithm == "sha-256");
        if (sha256 is null)
        {
            await report.ReportAsync("boot-image-error", "the boot image carries no sha-256 image-verification; it cannot be checked", ct);
            return ProcessingOutcome.Failed;
        }
        await report.StatusAsync("installing", $"boot image {image.OsName} {image.OsVersion}", ct);
        try { AgentLog.Firmware(report.Log, await firmware.InstallAsync(wanted, image.DownloadUris, Convert.ToHexStringLower(sha256.Value), t => AgentLog.Firmware(report.Log, t), ct)); }
        catch (FirmwareInstallException e)
        {
            await report.ReportAsync("boot-image-error", $"install failed: {e.Message}", ct);
            return ProcessingOutcome.Failed;
        }
        await report.ReportAsync("boot-image-installed-rebooting", $"{image.OsName} {image.OsVersion} installed", ct);
        await report.StatusAsync("rebooting", $"into {image.OsName} {image.OsVersion}", ct);
        try { await firmware.RebootIntoAsync(wanted, ct); }
        catch (Exception e) when (e is RpcException or PlatformUnavailableException)
        {
            await report.ReportAsync("boot-image-error", $"installed, but the reboot into it was refused: {e.Message}", ct);
            return ProcessingOutcome.Failed;
        }
        return ProcessingOutcome.Rebooting;
    }

    /// <summary>Exit 0 is success, exit 1 a warning (processing goes on), anything else or the time limit an error.</summary>
    async Task<bool> ScriptAsync(string phase, byte[] script, ProgressReporter report, CancellationToken ct)
    {
        string type = phase + "-script";
        await report.ReportAsync(type + "-initiated", null, ct);
        ScriptResult result;
        try { result = await platform.RunScriptAsync(phase, script, (int)scriptTimeout.TotalSeconds, ct); }
        catch (RpcException e)
        {
            await report.ReportAsync(type + "-error", $"the script could not run: {e.Message}", ct);
            return false;
        }
        string output = result.Output.Trim();
        string tail = output.Length == 0 ? "" : $"; output: {output[^Math.Min(output.Length, 400)..]}";
        switch (result)
        {
            case { TimedOut: true }:
                await report.ReportAsync(type + "-error", $"killed at its time limit of {scriptTimeout.TotalSeconds:0} s{tail}", ct);
                return false;
            case { ExitCode: 0 }:
                await report.ReportAsync(type + "-complete", $"exit 0 after {result.Seconds:0.###} s{tail}", ct);
                return true;
            case { ExitCode: 1 }:
                await report.ReportAsync(type + "-warning", $"exit 1{tail}", ct);
                await report.ReportAsync(type + "-complete", null, ct);
                return true;
            default:
                await report.ReportAsync(type + "-error", $"exit {result.ExitCode}{tail}", ct);
                return false;
        }
    }

    async Task<bool> ConfigurationAsync(byte[] configuration, string handling, ProgressReporter report, CancellationToken ct)
    {
        await report.ReportAsync("config-initiated", $"{handling}, {configuration.Length} bytes", ct);
        await report.StatusAsync("configuring", $"committing the configuration ({handling})", ct);
        JsonObject document;
        try { document = JsonNode.Parse(configuration, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject ?? throw new JsonException("the configuration is not a JSON object"); }
        catch (JsonException e)
        {
            await report.ReportAsync("config-error", $"the configuration is not a JSON document: {e.Message}", ct);
            return false;
        }
        try
        {
            var commit = await platform.CommitAsync(new ProvisionCommitParams(handling, document, "ztp", Comment: "zero-touch provisioning"), ct);
            await report.ReportAsync("config-complete", $"revision {commit.Revision}: {commit.Message}", ct);
            return true;
        }
        catch (RpcException e)
        {
            // The commit failed as a whole: cped kept (or put back) the previous configuration.
            await report.ReportAsync("config-error", e.Message, ct);
            return false;
        }
    }
}
