using System.Net;
using Cpe.Netlink;
using Cpe.Network.Sriov;

namespace Cpe.Network.Reconcile;

/// <summary>
/// The changes steps make, by link name: indexes are looked up when a step runs, so an undo finds a
/// link that an earlier undo re-created under a new index.
/// </summary>
public sealed class KernelOps(RouteNetlink rtnl, ISriovDriver? sriov)
{
    readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public ISriovDriver Sriov => sriov ?? throw new SriovException("this box has no SR-IOV");

    int Index(string name)
    {
        if (_index.TryGetValue(name, out int i)) return i;
        return _index[name] = rtnl.RequireLink(name).Index;
    }

    public void CreateBridge(string name, string alias, bool vlanFiltering)
    {
        rtnl.CreateBridge(name);
        _index.Remove(name);
        rtnl.SetAlias(Index(name), alias, name);
        if (vlanFiltering) rtnl.SetVlanFiltering(Index(name), true, name);
    }

    public void Delete(string name)
    {
        rtnl.DeleteLink(Index(name), name);
        _index.Remove(name);
    }

    public void SetAlias(string name, string alias) => rtnl.SetAlias(Index(name), alias, name);
    public void SetAdminState(string name, bool up) => rtnl.SetAdminState(Index(name), up, name);
    public void SetMtu(string name, uint mtu) => rtnl.SetMtu(Index(name), mtu, name);
    public void SetMac(string name, string mac) => rtnl.SetMac(Index(name), mac, name);
    public void SetVlanFiltering(string bridge, bool on) => rtnl.SetVlanFiltering(Index(bridge), on, bridge);
    public void SetMaster(string name, string? master) => rtnl.SetMaster(Index(name), master is null ? 0 : Index(master), name);
    public void AddVlan(string port, PortVlan vlan) => rtnl.AddVlan(Index(port), vlan, port);
    public void DeleteVlan(string port, ushort vid) => rtnl.DeleteVlan(Index(port), vid, port);
    public void AddAddress(string name, IPAddress address, int length) => rtnl.AddAddress(Index(name), address, length);
    public void DeleteAddress(string name, IPAddress address, int length) => rtnl.DeleteAddress(Index(name), address, length);
}
