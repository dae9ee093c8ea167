using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.ZeroTouch;

/// <summary>
/// A bundle with a boot image the box does not run: downloaded (resumed with HTTP Range after a cut), checked against
/// the signed sha-256, handed to the installer, "rebooted" (the agent exits 3 and starts again), then onboarded.
/// </summary>
public sealed class BootImageTests : IAsyncLifetime
{
    const string ImageName = "cpe-firmware-0.2.0.img";
    ZeroTouchLab _lab = null!;
    byte[] _image = null!;

    public async Task InitializeAsync()
    {
        _lab = await ZeroTouchLab.StartAsync();
        _image = RandomNumberGenerator.GetBytes(3 << 20);
        File.WriteAllBytes(_lab.Dir["upload.img"], _image);
        var uploaded = _lab.Admin("PUT", $"/api/v1/images/{ImageName}?osName=cpe-firmware&osVersion=0.2.0", file: _lab.Dir["upload.img"]);
        Assert.True(uploaded.Status == 200, uploaded.Body);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(_image)), uploaded.Body);
        _lab.Enroll(SiteBundle.Bundle(bootImage: ImageName));
    }

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task A_cut_download_resumes_from_its_offset_installs_reboots_and_onboards()
    {
        // A download that was cut at 1 MiB: the first part is on the box's disk.
        string part = Path.Combine(_lab.AgentState, "boot-image.part");
        File.WriteAllBytes(part, _image[..(1 << 20)]);
        Cpe.Interop.Files.Chown(part, 65534, 65534);

        await _lab.PowerOnAsync();
        Assert.Equal(3, await _lab.Agent!.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"resuming https://192.0.2.1:8443/images/{ImageName} at byte {1 << 20} of {_image.Length}", _lab.Agent.Output);

        // The server saw one request, for the rest.
        var downloads = JsonNode.Parse(_lab.Admin("GET", $"/api/v1/images/{ImageName}/downloads").Body)!.AsArray();
        Assert.Equal(("bytes=1048576-", 206), (downloads.Single()!["range"]!.GetValue<string>(), downloads.Single()!["status"]!.GetValue<int>()));

        // The installer got the whole, checked image.
        var install = JsonNode.Parse(File.ReadLines(Path.Combine(_lab.AgentState, "firmware", "installs.jsonl")).Single())!;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_image)), install["sha256"]!.GetValue<string>());
        Assert.Equal("0.2.0", install["version"]!.GetValue<string>());

        // After the "reboot" the box runs 0.2.0 and bootstraps again from the start.
        _lab.StartAgent();
        await _lab.Agent.WaitForLineAsync(l => l.Contains("ZTP: bootstrap-complete", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "bootstrap-complete");
        Assert.Contains("running cpe-firmware 0.2.0", _lab.Agent.Output);
        var types = _lab.Progress().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[1].TrimEnd(':')).ToArray();
        Assert.Equal(["bootstrap-initiated", "parsing-complete", "boot-image-initiated", "boot-image-mismatch", "boot-image-installed-rebooting",
            "bootstrap-initiated", "parsing-complete", "boot-image-initiated", "boot-image-complete", "config-initiated", "config-complete", "bootstrap-complete"], types);
    }

    [Fact]
    public async Task A_part_file_with_wrong_bytes_fails_the_hash_is_discarded_and_the_next_round_downloads_it_whole()
    {
        string part = Path.Combine(_lab.AgentState, "boot-image.part");
        File.WriteAllBytes(part, RandomNumberGenerator.GetBytes(1 << 20));
        Cpe.Interop.Files.Chown(part, 65534, 65534);
        await _lab.PowerOnAsync();
        Assert.Equal(3, await _lab.Agent!.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("boot-image-error: download failed", _lab.Agent.Output);
        Assert.Contains("is not the signed", _lab.Agent.Output);
        var downloads = JsonNode.Parse(_lab.Admin("GET", $"/api/v1/images/{ImageName}/downloads").Body)!.AsArray();
        Assert.Equal("bytes=1048576- whole", string.Join(" ", downloads.Select(d => d!["range"]?.GetValue<string>() ?? "whole")));
    }
}
