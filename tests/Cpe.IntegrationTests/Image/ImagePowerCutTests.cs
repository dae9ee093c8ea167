using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.Image;

/// <summary>
/// The technician's serial console on the built image (log in, show version and software, configure and commit, as on
/// the simulated board), then updates from it with the plug pulled (QEMU killed, the disk written through) at 20 random points
/// spread over the download, the check and slot switch, the new slot's first boot, its health check and the moment it
/// is marked good. Every time the next boot reaches a good slot with the configuration intact, and the install is
/// resumed by the box itself or the update completes. The run prints its seed (CPE_CUT_SEED repeats it), each point
/// and what the next boot found. The bench cuts 100 times.
/// </summary>
[Trait("Kind", "Image")]
public sealed class ImagePowerCutTests(ITestOutputHelper output) : IDisposable
{
    readonly TempFolder _dir = new("cpe-image-cut-");

    [Fact]
    public async Task Twenty_power_cuts_across_every_stage_of_updates_each_leave_a_good_slot_with_the_configuration_and_the_update_completes()
    {
        int seed = Environment.GetEnvironmentVariable("CPE_CUT_SEED") is { } s ? int.Parse(s) : Random.Shared.Next();
        output.WriteLine($"seed {seed}");
        string served = Path.Combine(_dir.Path, "served");
        Directory.CreateDirectory(served);
        foreach (var bundle in new[] { Binaries.FirmwareBundle("1.0.0"), Binaries.FirmwareBundle("2.0.0"), FirmwareBuild.Padded("2.5.0"), FirmwareBuild.Padded("2.6.0") })
            File.CreateSymbolicLink(Path.Combine(served, Path.GetFileName(bundle)), bundle);
        using var server = new RangeFileServer(served);
        string url = $"http://10.0.2.2:{server.Port}";
        var chain = new PowerCutChain(ImageMachine.CopyImage(Binaries.FirmwareImage("1.0.0"), _dir.Path), _dir.Path, url, ["2.0.0", "2.5.0", "2.6.0"], new Random(seed), output.WriteLine);
        try
        {
            var last = await chain.RunAsync(20, async box =>
            {
                output.WriteLine($"login prompt answered after {box.Clock.Elapsed.TotalSeconds:0.0} s");
                string version = await box.RunAsync("show version");
                Assert.Contains("Software: CPE firmware 1.0.0", version);
                Assert.Contains("Model: cpe-lab-q35", version);
                Assert.Contains("NativeAOT", version);
                Assert.Contains("Running:  1.0.0 from slot a (good)", await box.RunAsync("show system software"));
                await box.RunAsync("configure", @"# $");
                await box.RunAsync("set system host-name site-42", @"# $");
                Assert.Contains("commit complete", await box.RunAsync("commit", @"# $"));
                await box.RunAsync("exit", @"> $");
                Assert.Contains("host-name site-42", await box.RunAsync("show configuration system"));
            });
            output.WriteLine(last.Text);
            foreach (var stage in Enum.GetValues<PowerCutChain.Stage>())
                Assert.True(chain.Cuts.Count(c => c.Stage == stage) >= 2, $"only {chain.Cuts.Count(c => c.Stage == stage)} cuts in {stage}");
            // Every update the cuts interrupted went through: both slots good, no install left, the floor raised.
            Assert.Matches(@"a\*?\s+good\s+\S+", last.Text);
            Assert.Matches(@"b\*?\s+good\s+\S+", last.Text);
            Assert.Contains("Anti-rollback floor: 2.0.0", last.Text);
            // The install resumed after a cut in the middle of it, each time.
            Assert.All(chain.Cuts.Where(c => c.Stage == PowerCutChain.Stage.Download), c => Assert.Matches("install |waits for its first boot", c.Outcome));

            string refused = await chain.RunCommandAsync($"request system software add {url}/cpe-firmware-1.0.0.cpeu");
            Assert.Contains("version 1.0.0 is below this box's anti-rollback floor 2.0.0", refused);
        }
        finally
        {
            output.WriteLine("cuts:\n" + string.Join("\n", chain.Cuts.Select(c => $"{c.Number,3} {c.Stage,-9} {c.Point}\n    → {c.Outcome}")));
            output.WriteLine("the last boot's console:\n" + chain.Console);
            await chain.StopAsync();
        }
        output.WriteLine(string.Join("\n", server.AccessLog));
    }

    public void Dispose() => _dir.Dispose();
}
