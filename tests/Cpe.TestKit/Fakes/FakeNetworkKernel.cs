using System.Net;
using Cpe.Netlink;
using Cpe.Network.Reconcile;

namespace Cpe.TestKit;

/// <summary>
/// An in-memory kernel for the network reconciler: links, addresses and bridge VLANs with the real kernel's answers
/// (ENODEV for a link that is not there, EEXIST for one that is, EOPNOTSUPP for a master that is not a bridge), kept
/// honest by NetworkKernelContract, which runs the same tests against it and against rtnetlink in a namespace.
/// <see cref="FailWhen"/> makes a chosen change fail, to drive the reconciler's undo paths without root.
/// </summary>
public sealed class FakeNetworkKernel : INetworkKernel
{
    const int ENOENT = 2, EEXIST = 17, ENODEV = 19, EOPNOTSUPP = 95, EADDRNOTAVAIL = 99;
    readonly Dictionary<string, LinkInfo> _links = new(StringComparer.Ordinal);
    readonly List<AddressInfo> _addresses = [];
    readonly Dictionary<int, List<PortVlan>> _vlans = [];
    int _nextIndex = 2;   // 1 is the loopback's

    public long Writes { get; private set; }

    /// <summary>
    /// Called with each change's description ("mtu ge-0-0-0", "create bridge br-lan", …) before it is made; a change
    /// it returns true for fails with EIO, as a port pulled out mid-reconcile would make it fail.
    /// </summary>
    public Func<string, bool>? FailWhen { get; set; }

    /// <summary>Changes made so far, in order, as <see cref="FailWhen"/> sees them.</summary>
    public List<string> Changes { get; } = [];

    /// <summary>A port the board has (an Ethernet netdev), down, as the kernel lists it before anyone configures it.</summary>
    public void AddPort(string name) => _links[name] = NewLink(name, kind: "veth");

    public NetworkSnapshot Read(bool withVlans) => new(
        _links.Values.ToDictionary(l => l.Name, StringComparer.Ordinal),
        _addresses.GroupBy(a => a.Index).ToDictionary(g => g.Key, g => g.ToList()),
        withVlans ? _vlans.ToDictionary(v => v.Key, v => (IReadOnlyList<PortVlan>)[.. v.Value]) : new Dictionary<int, IReadOnlyList<PortVlan>>());

    public LinkInfo? Link(string name) => _links.GetValueOrDefault(name);

    public void CreateBridge(string name, string alias, bool vlanFiltering)
    {
        Change($"create bridge {name}");
        if (_links.ContainsKey(name)) throw new NetlinkException(EEXIST, "RTM_NEWLINK", name);
        _links[name] = NewLink(name, kind: "bridge") with { Alias = alias };
        if (vlanFiltering) _vlans[_links[name].Index] = [];
    }

    public void Delete(string name)
    {
        var link = Require(name, $"delete {name}");
        _links.Remove(name);
        _addresses.RemoveAll(a => a.Index == link.Index);
        _vlans.Remove(link.Index);
        foreach (var port in _links.Values.Where(l => l.Master == link.Index).ToList()) _links[port.Name] = port with { Master = null };
    }

    public void SetAlias(string name, string alias) => Update(name, $"alias {name}", l => l with { Alias = alias.Length == 0 ? null : alias });
    public void SetAdminState(string name, bool up) => Update(name, $"{(up ? "up" : "down")} {name}", l => l with { AdminUp = up });
    public void SetMtu(string name, uint mtu) => Update(name, $"mtu {name}", l => l with { Mtu = mtu });
    public void SetMac(string name, string mac) => Update(name, $"mac {name}", l => l with { Mac = mac });

    public void SetVlanFiltering(string bridge, bool on)
    {
        var link = Require(bridge, $"vlan-filtering {bridge}");
        if (link.Kind != "bridge") throw new NetlinkException(EOPNOTSUPP, "RTM_NEWLINK", bridge);
        if (on) _vlans.TryAdd(link.Index, []);
        else _vlans.Remove(link.Index);
    }

    public void SetMaster(string name, string? master)
    {
        var link = Require(name, $"master {name}");
        int? masterIndex = null;
        if (master is not null)
        {
            var bridge = _links.GetValueOrDefault(master) ?? throw new NetlinkException(ENODEV, "RTM_GETLINK", master);
            if (bridge.Kind != "bridge") throw new NetlinkException(EOPNOTSUPP, "RTM_NEWLINK", name);
            masterIndex = bridge.Index;
        }
        _links[name] = link with { Master = masterIndex };
    }

    public void AddVlan(string port, PortVlan vlan)
    {
        var link = Require(port, $"vlan {port}");
        var list = _vlans.TryGetValue(link.Index, out var l) ? l : _vlans[link.Index] = [];
        list.RemoveAll(v => v.Vid == vlan.Vid);
        list.Add(vlan);
    }

    public void DeleteVlan(string port, ushort vid)
    {
        var link = Require(port, $"remove vlan {port}");
        if (!_vlans.TryGetValue(link.Index, out var list) || list.RemoveAll(v => v.Vid == vid) == 0) throw new NetlinkException(ENOENT, "RTM_DELLINK", port);
    }

    public void AddAddress(string name, IPAddress address, int length)
    {
        var link = Require(name, $"add address {name}");
        if (_addresses.Any(a => a.Index == link.Index && a.Address.Equals(address))) throw new NetlinkException(EEXIST, "RTM_NEWADDR", name);
        _addresses.Add(new AddressInfo(link.Index, address, length, null));
    }

    public void DeleteAddress(string name, IPAddress address, int length)
    {
        var link = Require(name, $"remove address {name}");
        if (_addresses.RemoveAll(a => a.Index == link.Index && a.Address.Equals(address) && a.PrefixLength == length) == 0)
            throw new NetlinkException(EADDRNOTAVAIL, "RTM_DELADDR", name);
    }

    LinkInfo NewLink(string name, string kind) =>
        new(_nextIndex++, name, kind, AdminUp: false, Carrier: false, Mtu: 1500, Mac: $"02:fa:00:00:00:{_nextIndex:x2}", null, null, "DOWN", null);

    void Update(string name, string change, Func<LinkInfo, LinkInfo> update) => _links[name] = update(Require(name, change));

    /// <summary>Counts a change, fails it when asked, and finds its link (ENODEV when there is none).</summary>
    LinkInfo Require(string name, string change)
    {
        Change(change);
        return _links.GetValueOrDefault(name) ?? throw new NetlinkException(ENODEV, "RTM_GETLINK", name);
    }

    void Change(string change)
    {
        Changes.Add(change);
        if (FailWhen?.Invoke(change) == true) throw new NetlinkException(5 /* EIO */, "fake failure of", change);
        Writes++;
    }
}
