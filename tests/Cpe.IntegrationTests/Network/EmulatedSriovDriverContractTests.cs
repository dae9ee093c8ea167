using Cpe.Interop;
using Cpe.Netlink;
using Cpe.Network.Sriov;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Network;

/// <summary>
/// The SR-IOV driver contract against the simulated board's NIC: macvlans on a veth PF in a network namespace of its
/// own, its sysfs in a temporary folder (needs root). Each call runs on a thread in that namespace, as cped's run in
/// its own: a VF taken back from a VNF comes home to the caller's namespace.
/// </summary>
[Trait("Needs", "root")]
[Trait("Kind", "Contract")]
public sealed class EmulatedSriovDriverContractTests : SriovDriverContract
{
    readonly TestNamespace _ns = new();
    readonly List<TestNamespace> _lentTo = [];
    readonly TempFolder _sysfs = new("cpe-sriov-contract");
    readonly RouteNetlink _rtnl;
    readonly ISriovDriver _driver;

    public EmulatedSriovDriverContractTests()
    {
        _ns.Ip("link", "add", Pf, "type", "veth", "peer", "name", Pf + "-w");
        string device = Path.Combine(_sysfs.Path, "class", "net", Pf, "device");
        Directory.CreateDirectory(device);
        File.WriteAllText(Path.Combine(device, "sriov_totalvfs"), $"{TotalVfs}");
        File.WriteAllText(Path.Combine(device, "sriov_numvfs"), "0");
        _rtnl = RouteNetlink.OpenIn(_ns.Path);
        _driver = new InNamespace(new EmulatedSriovDriver(_rtnl, _sysfs.Path), _ns.Path);
    }

    protected override ISriovDriver Driver => _driver;

    protected override string NewNamespace()
    {
        var ns = new TestNamespace();
        _lentTo.Add(ns);
        return ns.Path;
    }

    protected override bool IsHere(string netdev) => _rtnl.Link(netdev) is not null;

    protected override string? MacInside(string netns, string name)
    {
        using var inside = RouteNetlink.OpenIn(netns);
        return inside.Link(name)?.Mac;
    }

    public override void Dispose()
    {
        _rtnl.Dispose();
        foreach (var ns in _lentTo) ns.Dispose();
        _ns.Dispose();
        _sysfs.Dispose();
        base.Dispose();
    }

    /// <summary>Runs each of a driver's calls on a thread in the namespace at <paramref name="netns"/>.</summary>
    sealed class InNamespace(ISriovDriver inner, string netns) : ISriovDriver
    {
        T In<T>(Func<T> call) => Namespaces.Run(netns, Namespaces.CLONE_NEWNET, call);
        void In(Action call) => Namespaces.RunInNetwork(netns, call);

        public long FileWrites => inner.FileWrites;
        public int TotalVfs(string pf) => In(() => inner.TotalVfs(pf));
        public int NumVfs(string pf) => In(() => inner.NumVfs(pf));
        public void SetNumVfs(string pf, int count) => In(() => inner.SetNumVfs(pf, count));
        public IReadOnlyList<VfInfo> Vfs(string pf) => In(() => inner.Vfs(pf));
        public string? VfNetdev(string pf, int vf) => In(() => inner.VfNetdev(pf, vf));
        public void SetMac(string pf, int vf, string mac) => In(() => inner.SetMac(pf, vf, mac));
        public void SetVlan(string pf, int vf, ushort vlan, byte qos) => In(() => inner.SetVlan(pf, vf, vlan, qos));
        public void SetSpoofCheck(string pf, int vf, bool on) => In(() => inner.SetSpoofCheck(pf, vf, on));
        public void SetTrust(string pf, int vf, bool on) => In(() => inner.SetTrust(pf, vf, on));
        public void SetRate(string pf, int vf, uint minMbps, uint maxMbps) => In(() => inner.SetRate(pf, vf, minMbps, maxMbps));
        public void SetLinkState(string pf, int vf, VfLinkState state) => In(() => inner.SetLinkState(pf, vf, state));
        public void Lend(string pf, int vf, string netnsPath, string name) => In(() => inner.Lend(pf, vf, netnsPath, name));
        public void Reclaim(string pf, int vf, string netnsPath, string name) => In(() => inner.Reclaim(pf, vf, netnsPath, name));
    }
}
