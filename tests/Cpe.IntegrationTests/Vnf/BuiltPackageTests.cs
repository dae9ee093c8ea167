using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Cpe.Interop;
using Cpe.TestKit;
using Cpe.Vnf.Packages;
using Cpe.Vnf.Runtime;
using Cpe.Vnf.Store;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>
/// The packages build.sh makes, all the way: verified against the development vendor CA, added to the image store,
/// mounted as an instance's overlay root, run by cpe-runtime in a namespace wired between a LAN and a WAN host,
/// traffic through it, and a clean stop by SIGTERM (the VNF handles it as PID 1).
/// </summary>
[Trait("Kind", "Integration")]
public sealed class BuiltPackageTests : IDisposable
{
    readonly TempFolder _dir = new("cpe-vnf-built-");
    readonly WireLab _lab = new();
    readonly string _id = "b" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task The_built_firewall_package_runs_from_the_store_under_the_launcher_and_forwards()
    {
        string keys = Path.GetFullPath(Path.Combine(Binaries.Directory, "..", "keys", "vendor", "vendor-ca.pem"));
        using var package = VnfPackage.Open(Path.GetFullPath(Path.Combine(Binaries.Directory, "..", "vnfs", "firewall.tar")), [X509CertificateLoader.LoadCertificate(X509Certificate2.CreateFromPem(File.ReadAllText(keys)).RawData)]);
        using var store = new ImageStore(_dir["store"], 1L << 30);
        var image = store.Add(package, DateTimeOffset.UtcNow);
        string bundle = _dir["bundle"];
        InstanceRootFs.Mount(bundle, store.RootFsPath(image.ManifestDigest));
        try
        {
            BundleWriter.Write(bundle, BundleWriter.Spec(package.Config, package.Descriptor,
                new InstancePlacement(_id, _lab.Vnf.Path, "0", File.Exists("/sys/fs/cgroup/cgroup.controllers"), BusyboxVnf.CgroupParent)));
            string state = _dir["state"], log = _dir["vnf.log"];
            using var run = Process.Start(new ProcessStartInfo(Binaries.Runtime, ["run", "--bundle", bundle, "--state", state, "--log", log, _id]) { UseShellExecute = false })!;
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (!(File.Exists(log) && File.ReadAllText(log).Contains("forwarding between in and out")))
            {
                Assert.False(run.HasExited || DateTime.UtcNow > deadline, File.Exists(log) ? File.ReadAllText(log) : "no log");
                await Task.Delay(20);
            }
            Assert.True(WireLab.Pings(_lab.Lan, "10.9.0.2"), "ping through the firewall");
            Assert.True(await WireLab.TcpWorksAsync(_lab.Lan, _lab.Wan, "10.9.0.2", 6000, TimeSpan.FromSeconds(5)), "TCP through the firewall");
            Assert.False(await WireLab.TcpWorksAsync(_lab.Wan, _lab.Lan, "10.9.0.1", 6001, TimeSpan.FromSeconds(2)), "unsolicited inbound");

            Signals.Terminate(run.Id);   // the monitor passes it on; the firewall stops cleanly
            await run.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(0, run.ExitCode);
            Assert.StartsWith("exit 0\n", File.ReadAllText(Path.Combine(state, "exit")));
            Assert.Contains("firewall: dropped", File.ReadAllText(log));
            // The image's tree was never written: the mount points went to the instance's upper layer.
            Assert.False(Directory.Exists(Path.Combine(store.RootFsPath(image.ManifestDigest), "proc")));
            Assert.True(Directory.Exists(Path.Combine(bundle, "upper", "proc")));
        }
        finally { InstanceRootFs.Unmount(bundle); }
    }

    public void Dispose()
    {
        BusyboxVnf.RemoveCgroupAsync(_id).GetAwaiter().GetResult();
        _lab.Dispose();
        _dir.Dispose();
    }
}
