using Cpe.Api;
using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>
/// cped's VNF side without a chain: "request vnf package add" refuses an unsigned and a tampered package and keeps
/// nothing of them; a VNF that keeps crashing is restarted with backoff until its crash loop raises an alarm, which
/// removing the VNF clears.
/// </summary>
[Collection(nameof(VnfChainCollection))]
[Trait("Kind", "Integration")]
public sealed class VnfDaemonTests(ITestOutputHelper output) : IAsyncLifetime
{
    readonly ChainLab _lab = new();
    readonly TempFolder _dir = new("cpe-vnf-daemon-");

    public async Task InitializeAsync()
    {
        try { await _lab.StartCpedAsync(); }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        await _lab.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Unsigned_and_tampered_packages_are_refused_and_leave_nothing_in_the_store()
    {
        string unsigned = BusyboxPackage.Build(_dir.Path, "probe", "sleep 1000");
        var refused = await _lab.Cli($"request vnf package add {unsigned}");
        output.WriteLine(refused.Output + refused.Error);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("signature", refused.Output + refused.Error);

        BusyboxPackage.Sign(unsigned);
        byte[] bytes = File.ReadAllBytes(unsigned);
        bytes[bytes.Length / 3] ^= 0x01;   // inside the layer blob
        string tampered = _dir["tampered.tar"];
        File.WriteAllBytes(tampered, bytes);
        refused = await _lab.Cli($"request vnf package add {tampered}");
        output.WriteLine(refused.Output + refused.Error);
        Assert.NotEqual(0, refused.ExitCode);

        await using var api = await _lab.Cped.ConnectAsync();
        Assert.Empty(await api.VnfPackagesAsync());
        string store = Path.Combine(_lab.StateDirectory, "vnf", "store");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(store, "blobs"), "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(store, "rootfs")));

        // The untouched, signed package goes in.
        var added = await _lab.Cli($"request vnf package add {unsigned}; show vnf package");
        Assert.Contains("probe:1.0.0 added", added.Output);
        Assert.Contains("signed by CN=Development build VNF signer", added.Output);
    }

    [Fact]
    public async Task A_package_from_a_URL_must_be_the_one_its_SHA_256_names_and_a_failed_download_says_so_and_leaves_nothing()
    {
        string package = BusyboxPackage.Build(_dir.Path, "fetched", "sleep 1000");
        BusyboxPackage.Sign(package);
        using var server = new RangeFileServer(_dir.Path, netns: "/run/netns/" + _lab.Sim.Box);   // cped downloads from inside the box
        string url = $"http://127.0.0.1:{server.Port}/fetched.tar";
        await using var api = await _lab.Cped.ConnectAsync();

        var other = await Assert.ThrowsAsync<RpcException>(() => api.VnfPackageAddAsync(url, sha256: new string('0', 64)));
        Assert.Equal(RpcErrorCodes.InvalidParams, other.Code);
        Assert.Contains("is not the package asked for", other.Message);
        var missing = await Assert.ThrowsAsync<RpcException>(() => api.VnfPackageAddAsync($"http://127.0.0.1:{server.Port}/nothing.tar"));
        Assert.Equal(RpcErrorCodes.DownloadFailed, missing.Code);
        Assert.Contains("404", missing.Message);
        Assert.Empty(await api.VnfPackagesAsync());
        Assert.Empty(Directory.GetFiles(Path.Combine(_lab.StateDirectory, "vnf"), "download-*"));

        string sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(package)));
        var added = await api.VnfPackageAddAsync(url, sha256: sha256);
        Assert.Equal(("fetched", "1.0.0"), (added.Name, added.Version));
    }

    [Fact]
    public async Task A_crash_looping_VNF_raises_an_alarm_that_removing_it_clears()
    {
        string package = BusyboxPackage.Build(_dir.Path, "crasher", "echo crashing; exit 3");
        BusyboxPackage.Sign(package);
        Assert.Equal(0, (await _lab.Cli($"request vnf package add {package}")).ExitCode);
        var commit = await _lab.Cli("configure; set vnfs vnf crash package crasher; commit");
        Assert.Contains("commit complete", commit.Output);

        await using var api = await _lab.Cped.ConnectAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        AlarmInfo? alarm = null;
        while (DateTime.UtcNow < deadline && (alarm = (await api.AlarmsAsync()).FirstOrDefault(a => a.Type == "vnf-crash-loop crash-0")) is null)
            await Task.Delay(200);
        Assert.True(alarm is not null, "no crash-loop alarm\n" + _lab.Cped.Log());
        Assert.Equal("major", alarm!.Severity);
        var vnf = (await api.VnfsAsync("crash")).Single();
        output.WriteLine($"{vnf.Instance}: {vnf.State}, {vnf.Restarts} restarts, {vnf.Message}");
        Assert.Equal("failed", vnf.State);
        Assert.Equal("exit 3 (crashed)", vnf.LastExit);
        Assert.True(vnf.Restarts >= 4, $"{vnf.Restarts} restarts");
        var shown = await _lab.Cli("show vnf crash detail; show vnf crash log");
        Assert.Contains("crash loop", shown.Output);
        Assert.Contains("crashing", shown.Output);

        Assert.Contains("commit complete", (await _lab.Cli("configure; delete vnfs; commit")).Output);
        Assert.DoesNotContain(await api.AlarmsAsync(), a => a.Type == "vnf-crash-loop crash-0");
    }
}
