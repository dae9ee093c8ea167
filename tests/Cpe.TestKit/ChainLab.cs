using Cpe.Api;
using Cpe.Vnf.Packages;
using Cpe.Vnf.Runtime;

namespace Cpe.TestKit;

/// <summary>
/// cped on the simulated board with the built sample VNF packages trusted, its VNFs under a cgroup and netns names of
/// this lab's own. The LAN host is lan1 (192.168.50.10/24 once <see cref="AddressLanHost"/> ran, behind ge-0/0/1),
/// the WAN host wan0 (192.0.2.1/24, behind ge-0/0/0). Dispose removes everything a failed test may leave: VNF
/// processes, cgroups, overlays, namespaces.
/// </summary>
/// <param name="pfPort">The emulated SR-IOV PF is front port xe-0/0/0 too (its far end pf0 is on the LAN host).</param>
public sealed class ChainLab(string cgroupTop = "/cpe-test", bool pfPort = false) : IAsyncDisposable
{
    public SimBoard Sim { get; } = new(lanPorts: 2, pfPort: pfPort);
    public string Id { get; } = "ch" + Guid.NewGuid().ToString("N")[..8];
    public string StateDirectory { get; } = Directory.CreateTempSubdirectory("cpe-chain-").FullName;
    public string CgroupParent => $"{cgroupTop}/{Id}";
    public TestNamespace Lan => TestNamespace.Existing(Sim.Lan);
    public TestNamespace Wan => TestNamespace.Existing(Sim.Wan);
    public DaemonProcess Cped { get; private set; } = null!;

    public static string Package(string name) => Path.Combine(Binaries.Directory, "..", "vnfs", name + ".tar");

    /// <summary>
    /// The build's NAT package as "natvf", its interfaces <paramref name="interfaces"/> (org.cpe.vnf.interfaces, e.g.
    /// asking for SR-IOV VFs), written into <paramref name="folder"/> and signed by the build's VNF signer.
    /// </summary>
    public static string NatPackage(string folder, string interfaces)
    {
        string package = Path.Combine(folder, "natvf.tar");
        PackageWriter.PackLayout(Package("nat"), null, new Dictionary<string, string>
        {
            ["org.cpe.vnf.name"] = "natvf",
            ["org.cpe.vnf.interfaces"] = interfaces,
        }, package);
        BusyboxPackage.Sign(package);
        return package;
    }

    /// <summary>Gives the LAN host its address and the NAT's inside address as its gateway.</summary>
    public void AddressLanHost()
    {
        Lan.Ip("addr", "add", "192.168.50.10/24", "dev", "lan1");
        Lan.Ip("route", "add", "default", "via", "192.168.50.1", "dev", "lan1");
    }

    public async Task StartCpedAsync()
    {
        Cped = new DaemonProcess(StateDirectory)
        {
            NetworkNamespace = Sim.Box,
            BoardProfile = Sim.ProfilePath,
            ExtraArguments = ["--phonehome-user", "nobody", "--vnf-trust", BusyboxPackage.VendorCa, "--vnf-cgroup-parent", CgroupParent, "--vnf-netns-prefix", Id + "-"],
        };
        await Cped.StartAsync();
    }

    public Task<CliResult> Cli(string commands) => CliProcess.RunAsync(Cped.SocketPath, commands);

    /// <summary>Polls until <paramref name="done"/> holds for cped's VNF list.</summary>
    public async Task<VnfInstanceInfo[]> WaitForVnfsAsync(Func<VnfInstanceInfo[], bool> done, string what, TimeSpan? limit = null)
    {
        await using var api = await Cped.ConnectAsync();
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var vnfs = await api.VnfsAsync();
            if (done(vnfs)) return vnfs;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what}: {string.Join("; ", vnfs.Select(v => $"{v.Instance} {v.State} {v.Message}"))}\n{Cped.Log()}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Cped is not null) await Cped.DisposeAsync();
        await VnfHostCleanup.RemoveAsync(CgroupParent, StateDirectory, Id + "-");
        Sim.Dispose();
        try { Directory.Delete(StateDirectory, recursive: true); } catch (IOException) { }
    }
}
