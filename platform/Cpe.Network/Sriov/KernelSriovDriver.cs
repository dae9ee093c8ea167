using Cpe.Netlink;

namespace Cpe.Network.Sriov;

/// <summary>A real SR-IOV NIC: counts through sysfs, VF settings through RTM_SETLINK with IFLA_VFINFO_LIST.</summary>
public sealed class KernelSriovDriver(RouteNetlink rtnl, SriovSysfs sysfs) : ISriovDriver
{
    public long FileWrites { get; private set; }

    public int TotalVfs(string pf) => sysfs.TotalVfs(pf);
    public int NumVfs(string pf) => sysfs.NumVfs(pf);

    public void SetNumVfs(string pf, int count)
    {
        int before = sysfs.NumVfs(pf);
        if (sysfs.SetNumVfs(pf, count)) FileWrites += before != 0 && count != 0 ? 2 : 1;
    }

    public IReadOnlyList<VfInfo> Vfs(string pf) => rtnl.RequireLink(pf).Vfs;
    public string? VfNetdev(string pf, int vf) => sysfs.VfNetdev(pf, vf);

    int Index(string pf) => rtnl.RequireLink(pf).Index;
    public void SetMac(string pf, int vf, string mac) => rtnl.SetVfMac(Index(pf), vf, mac, pf);
    public void SetVlan(string pf, int vf, ushort vlan, byte qos) => rtnl.SetVfVlan(Index(pf), vf, vlan, qos, pf);
    public void SetSpoofCheck(string pf, int vf, bool on) => rtnl.SetVfSpoofCheck(Index(pf), vf, on, pf);
    public void SetTrust(string pf, int vf, bool on) => rtnl.SetVfTrust(Index(pf), vf, on, pf);
    public void SetRate(string pf, int vf, uint minMbps, uint maxMbps) => rtnl.SetVfRate(Index(pf), vf, minMbps, maxMbps, pf);
    public void SetLinkState(string pf, int vf, VfLinkState state) => rtnl.SetVfLinkState(Index(pf), vf, state, pf);

    public void Lend(string pf, int vf, string netnsPath, string name) =>
        VfLending.MoveInto(rtnl, sysfs.VfNetdev(pf, vf) ?? throw new SriovException($"{pf} vf {vf} has no netdev here (bound to no driver, or lent already)"), netnsPath, name);

    public void Reclaim(string pf, int vf, string netnsPath, string name) => VfLending.MoveBack(netnsPath, name, ISriovDriver.VfName(pf, vf));
}
