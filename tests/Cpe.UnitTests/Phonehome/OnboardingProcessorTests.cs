using System.Text;
using Cpe.Api;
using Cpe.Phonehome.Processing;
using Cpe.Sztp;
using Cpe.TestKit;

namespace Cpe.UnitTests.Phonehome;

/// <summary>RFC 8572's processing order, the stop at the first error, exit-code mapping and resume by digest.</summary>
[Trait("Kind", "Unit")]
public sealed class OnboardingProcessorTests : IDisposable
{
    readonly TempFolder _state = new("cpe-agent-");
    readonly FakePlatform _platform = new();
    readonly ProgressFile _progress;
    readonly OnboardingProcessor _processor;
    readonly FirmwareUpdater _firmware;
    readonly StringWriter _console = new();

    public OnboardingProcessorTests()
    {
        _progress = new ProgressFile(_state.Path);
        _firmware = new FirmwareUpdater(_platform, _progress, TimeProvider.System, pollInterval: TimeSpan.FromMilliseconds(1));
        _processor = new OnboardingProcessor(_platform, _firmware, _progress, TimeSpan.FromSeconds(30));
    }

    public void Dispose() => _state.Dispose();

    static ConveyedInformation.Onboarding Info(string handling = "merge") => new(
        BootImage: new BootImage("cpe-firmware", "0.1.0", [], []),
        ConfigurationHandling: handling,
        PreConfigurationScript: Encoding.UTF8.GetBytes("echo pre"),
        Configuration: Encoding.UTF8.GetBytes("""{"schema-version":1,"system":{"host-name":"a"}}"""),
        PostConfigurationScript: Encoding.UTF8.GetBytes("echo post"));

    Task<ProcessingOutcome> Process(ConveyedInformation.Onboarding info, string digest = "d1") =>
        _processor.ProcessAsync(info, digest, new ProgressReporter(_platform, new Cpe.Phonehome.Logging.AgentConsoleLogger(_console)), CancellationToken.None);

    string[] Reported => _console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Where(l => !l.StartsWith("ZTP: [", StringComparison.Ordinal)).Select(l => l[5..].Split(':')[0]).ToArray();

    [Fact]
    public async Task Steps_run_in_rfc_order_and_each_is_recorded_as_done()
    {
        Assert.Equal(ProcessingOutcome.Complete, await Process(Info("replace")));
        Assert.Equal(["script pre", "status configuring", "commit ztp replace", "script post"], _platform.Calls);
        Assert.Equal(["boot-image-initiated", "boot-image-complete", "pre-script-initiated", "pre-script-complete", "config-initiated",
            "config-complete", "post-script-initiated", "post-script-complete"], Reported);
        Assert.Equal(["boot-image", "pre-script", "config", "post-script"], _progress.Load().Completed);
        Assert.Equal("a", _platform.Commits.Single().Document["system"]!["host-name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_failing_pre_script_stops_before_the_configuration_and_a_warning_goes_on()
    {
        _platform.Script = phase => new ScriptResult(phase == "pre" ? 2 : 0, false, "broken", 0.1);
        Assert.Equal(ProcessingOutcome.Failed, await Process(Info()));
        Assert.DoesNotContain(_platform.Calls, c => c.StartsWith("commit", StringComparison.Ordinal));
        Assert.Equal("pre-script-error", Reported[^1]);

        _platform.Calls.Clear();
        _platform.Script = phase => new ScriptResult(1, false, "careful", 0.1);
        Assert.Equal(ProcessingOutcome.Complete, await Process(Info(), "d2"));
        Assert.Contains("pre-script-warning", Reported);
        Assert.Contains("commit ztp merge", _platform.Calls);
    }

    [Fact]
    public async Task A_script_killed_at_its_time_limit_is_an_error()
    {
        _platform.Script = _ => new ScriptResult(null, true, "", 30);
        Assert.Equal(ProcessingOutcome.Failed, await Process(Info()));
        Assert.Contains("killed at its time limit of 30 s", _console.ToString());
    }

    [Fact]
    public async Task A_refused_commit_is_config_error_and_the_post_script_does_not_run()
    {
        _platform.CommitFailure = new RpcException(RpcErrorCodes.ConfigInvalid, "interfaces interface ge-0/0/9: this box (sim) has no port ge-0/0/9");
        Assert.Equal(ProcessingOutcome.Failed, await Process(Info()));
        Assert.Equal("config-error", Reported[^1]);
        Assert.Contains("has no port ge-0/0/9", _console.ToString());
        Assert.DoesNotContain("script post", _platform.Calls);
    }

    [Fact]
    public async Task A_configuration_that_is_not_json_is_config_error_without_a_commit()
    {
        var info = Info() with { Configuration = Encoding.UTF8.GetBytes("set system host-name a") };
        Assert.Equal(ProcessingOutcome.Failed, await Process(info));
        Assert.Equal("config-error", Reported[^1]);
        Assert.Empty(_platform.Commits);
    }

    [Fact]
    public async Task After_a_restart_the_same_information_resumes_after_its_done_steps_and_new_information_starts_over()
    {
        _progress.Save(new AgentProgress { ConveyedDigest = "d1", Completed = ["boot-image", "pre-script", "config"] });
        Assert.Equal(ProcessingOutcome.Complete, await Process(Info()));
        Assert.Equal(["script post"], _platform.Calls);
        Assert.Contains("resuming: already done for this onboarding information: boot-image, pre-script, config", _console.ToString());

        _platform.Calls.Clear();
        Assert.Equal(ProcessingOutcome.Complete, await Process(Info(), "d-other"));
        Assert.Equal(["script pre", "status configuring", "commit ztp merge", "script post"], _platform.Calls);
    }

    [Fact]
    public async Task A_boot_image_without_a_sha256_is_refused_before_any_download()
    {
        var info = Info() with { BootImage = new BootImage("cpe-firmware", "0.2.0", ["https://192.0.2.1/none"], [new ImageHash("md5", new byte[16])]) };
        Assert.Equal(ProcessingOutcome.Failed, await Process(info));
        Assert.Equal(["boot-image-initiated", "boot-image-mismatch", "boot-image-error"], Reported);
        Assert.Contains("carries no sha-256", _console.ToString());
    }

    static readonly byte[] BundleSha256 = Convert.FromHexString("7d865e959b2466918c9863afca942d0fb89d7c9ac0c99bafc3749504ded97730");

    static ConveyedInformation.Onboarding WithImage(string version = "0.2.0", params string[] uris) =>
        Info() with { BootImage = new BootImage("cpe-firmware", version, uris.Length > 0 ? uris : ["https://a/fw.cpeu"], [new ImageHash("sha-256", BundleSha256)]) };

    [Fact]
    public async Task Another_boot_image_is_installed_by_cped_with_its_sha256_and_the_box_reboots_into_it()
    {
        _platform.InstallStates.Enqueue(FakePlatform.Install("writing", 2));
        _platform.InstallStates.Enqueue(FakePlatform.Install("checking", 4));
        _platform.InstallStates.Enqueue(FakePlatform.Install("installed", 4));
        Assert.Equal(ProcessingOutcome.Rebooting, await Process(WithImage()));
        Assert.Equal(["status installing", "install https://a/fw.cpeu 7d865e95", "status rebooting", "reboot into firmware 0.2.0"], _platform.Calls);
        Assert.Equal(["boot-image-initiated", "boot-image-mismatch", "boot-image-installed-rebooting"], Reported.Where(r => r.StartsWith("boot-image", StringComparison.Ordinal)));
        Assert.Contains("firmware 0.2.0 installed in slot b: 400 bytes downloaded", _console.ToString());
        Assert.Equal("cpe-firmware 0.2.0", _progress.Load().RebootingInto);
        Assert.DoesNotContain("boot-image", _progress.Load().Completed);

        // After the reboot the box runs 0.2.0: the step completes without another install.
        _platform.FirmwareVersion = "0.2.0";
        _platform.Calls.Clear();
        _platform.Health = "on trial: waiting for server";
        Assert.Null(await _firmware.SettleAfterRebootAsync(CancellationToken.None));   // it may still fall back
        Assert.Equal("cpe-firmware 0.2.0", _progress.Load().RebootingInto);
        _platform.Health = "good";
        Assert.Equal("now running cpe-firmware 0.2.0 after the reboot, marked good", await _firmware.SettleAfterRebootAsync(CancellationToken.None));
        Assert.Null(_progress.Load().RebootingInto);
        Assert.Equal(ProcessingOutcome.Complete, await Process(WithImage()));
        Assert.DoesNotContain(_platform.Calls, c => c.StartsWith("install", StringComparison.Ordinal));
        Assert.Null(_progress.Load().FirmwareFailure);
    }

    [Fact]
    public async Task A_uri_that_fails_to_download_gives_way_to_the_next_and_a_refused_bundle_is_given_up_on()
    {
        _platform.Admission = uri => uri.Contains("first", StringComparison.Ordinal) ? new RpcException(RpcErrorCodes.CommitFailed, "connection refused") : null;
        _platform.InstallStates.Enqueue(FakePlatform.Install("installed", 4));
        Assert.Equal(ProcessingOutcome.Rebooting, await Process(WithImage("0.2.0", "https://first/fw.cpeu", "https://second/fw.cpeu")));
        Assert.Contains("install https://second/fw.cpeu 7d865e95", _platform.Calls);

        _platform.Calls.Clear();
        _platform.Admission = _ => new RpcException(RpcErrorCodes.BundleRefused, "the bundle is refused: version 0.3.0 is below this box's anti-rollback floor 0.4.0");
        Assert.Equal(ProcessingOutcome.Failed, await Process(WithImage("0.3.0"), "d2"));
        Assert.Contains("below this box's anti-rollback floor", _progress.Load().FirmwareFailure!.Reason);
        Assert.Equal("0.3.0", _progress.Load().FirmwareFailure!.Version);

        // Given up on: the next round says so and does not ask cped again.
        _platform.Calls.Clear();
        Assert.Equal(ProcessingOutcome.Failed, await Process(WithImage("0.3.0"), "d3"));
        Assert.DoesNotContain(_platform.Calls, c => c.StartsWith("install", StringComparison.Ordinal));
        Assert.Contains("was given up on", _console.ToString());
    }

    [Fact]
    public async Task An_install_that_failed_for_a_passing_reason_waits_before_the_same_version_is_tried_again_longer_each_time()
    {
        async Task FailOnce(string version)
        {
            _platform.InstallStates.Enqueue(FakePlatform.Install("failed", 1, "the download ended in chunk 1 of 4"));
            var e = await Assert.ThrowsAsync<FirmwareInstallException>(() => _firmware.InstallAsync(version, ["https://server/fw.cpeu"], new string('a', 64), _ => { }, CancellationToken.None));
            Assert.False(e.Permanent);
        }
        Assert.Null(_firmware.RetryAfter("0.2.0"));
        var before = DateTimeOffset.UtcNow;
        await FailOnce("0.2.0");
        var first = _firmware.RetryAfter("0.2.0")!.Value;
        Assert.Equal("the download ended in chunk 1 of 4", first.Reason);
        Assert.InRange(first.At - before, FirmwareUpdater.FirstRetry, FirmwareUpdater.FirstRetry + TimeSpan.FromSeconds(30));
        await FailOnce("0.2.0");
        Assert.InRange(_firmware.RetryAfter("0.2.0")!.Value.At - before, 2 * FirmwareUpdater.FirstRetry, 2 * FirmwareUpdater.FirstRetry + TimeSpan.FromSeconds(30));
        for (int i = 0; i < 12; i++) await FailOnce("0.2.0");
        Assert.InRange(_firmware.RetryAfter("0.2.0")!.Value.At - before, FirmwareUpdater.LongestRetry, FirmwareUpdater.LongestRetry + TimeSpan.FromSeconds(30));
        Assert.Null(_firmware.RetryAfter("0.3.0"));   // another version is not held back
        Assert.Null(_progress.Load().FirmwareFailure);   // nor is this one given up on

        // Another version's failure starts its own count at the first wait.
        await FailOnce("0.3.0");
        Assert.InRange(_firmware.RetryAfter("0.3.0")!.Value.At - before, FirmwareUpdater.FirstRetry, FirmwareUpdater.FirstRetry + TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_failed_install_is_an_error_and_a_fallback_after_the_reboot_is_remembered_with_its_reason()
    {
        _platform.InstallStates.Enqueue(FakePlatform.Install("writing", 1));
        _platform.InstallStates.Enqueue(FakePlatform.Install("failed", 1, "image chunk 1 of 4 does not match its signed hash"));
        Assert.Equal(ProcessingOutcome.Failed, await Process(WithImage()));
        Assert.Contains("boot-image-error: install failed: image chunk 1 of 4", _console.ToString());
        Assert.Null(_progress.Load().FirmwareFailure);   // not a refusal: a later round may download it again

        // Installed and rebooted, but the new slot fell back: the agent learns why from cped and does not try it again.
        _progress.Update(p => p with { RebootingInto = "cpe-firmware 0.2.0" });
        _platform.LastFallback = new FallbackInfo("b", "0.2.0", "a", "0.1.0", 3, "health check failed: wan: ge-0/0/0 has no address", [], DateTimeOffset.UnixEpoch);
        string? said = await _firmware.SettleAfterRebootAsync(CancellationToken.None);
        Assert.Equal("firmware 0.2.0 did not stay: fell back from slot b after 3 attempt(s): health check failed: wan: ge-0/0/0 has no address", said);
        Assert.Null(_progress.Load().RebootingInto);
        Assert.Equal(ProcessingOutcome.Failed, await Process(WithImage(), "d2"));
        Assert.Contains("ge-0/0/0 has no address); not installing it again", _console.ToString());
    }

    [Fact]
    public async Task A_box_without_firmware_slots_says_so()
    {
        _platform.HasSlots = false;
        Assert.Equal(ProcessingOutcome.Failed, await Process(WithImage()));
        Assert.Contains("this box has no firmware slots to install into", _console.ToString());
    }
}
