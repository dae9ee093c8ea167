using System.Net;
using Cpe.Netlink;

namespace Cpe.Network.Reconcile;

/// <summary>
/// <see cref="INetworkKernel"/> over rtnetlink. Changes go by link name: the index is looked up when a change runs
/// (and remembered until the link is created or deleted again), so an undo finds a link that an earlier undo
/// re-created under a new index.
/// </summary>
public sealed class NetlinkNetworkKernel(RouteNetlink rtnl) : INetworkKernel
{
    readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public long Writes => rtnl.Socket.WriteRequests;

    public NetworkSnapshot Read(bool withVlans)
    {
        var links = rtnl.Links().ToDictionary(l => l.Name, StringComparer.Ordinal);
        // A read is the truth: forget indexes another process may have changed since.
        _index.Clear();
        foreach (var link in links.Values) _index[link.Name] = link.Index;
        var addresses = rtnl.Addresses().GroupBy(a => a.Index).ToDictionary(g => g.Key, g => g.ToList());
        var vlans = withVlans ? rtnl.Vlans() : new Dictionary<int, IReadOnlyList<PortVlan>>();
        return new NetworkSnapshot(links, addresses, vlans);
    }

    public LinkInfo? Link(string name) => rtnl.Link(name);

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
