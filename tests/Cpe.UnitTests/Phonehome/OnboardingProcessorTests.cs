using System.Text;
using Cpe.Api;
using Cpe.Phonehome.Processing;
using Cpe.Sztp;
using Cpe.TestKit;

namespace Cpe.UnitTests.Phonehome;

/// <summary>RFC 8572's processing order, the stop at the first error, exit-code mapping and resume by digest.</summary>
public sealed class OnboardingProcessorTests : IDisposable
{
    readonly TempFolder _state = new("cpe-agent-");
    readonly FakePlatform _platform = new();
    readonly ProgressFile _progress;
    readonly OnboardingProcessor _processor;
    readonly StringWriter _console = new();

    public OnboardingProcessorTests()
    {
        _progress = new ProgressFile(_state.Path);
        var installer = new FolderInstaller(_state["firmware"], "cpe-firmware", "0.1.0", TimeProvider.System);
        _processor = new OnboardingProcessor(_platform, installer, new ImageDownloader(new HttpClientHandler(), TimeSpan.FromSeconds(1)),
            _progress, _state.Path, TimeSpan.FromSeconds(30));
    }

    public void Dispose() => _state.Dispose();

    static ConveyedInformation.Onboarding Info(string handling = "merge") => new(
        BootImage: new BootImage("cpe-firmware", "0.1.0", [], []),
        ConfigurationHandling: handling,
        PreConfigurationScript: Encoding.UTF8.GetBytes("echo pre"),
        Configuration: Encoding.UTF8.GetBytes("""{"schema-version":1,"system":{"host-name":"a"}}"""),
        PostConfigurationScript: Encoding.UTF8.GetBytes("echo post"));

    Task<ProcessingOutcome> Process(ConveyedInformation.Onboarding info, string digest = "d1") =>
        _processor.ProcessAsync(info, digest, new ProgressReporter(_platform, _console), CancellationToken.None);

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
}
