using System.Net;

namespace Cpe.Netlink;

/// <summary>
/// Links, addresses and routes of one network namespace, through one rtnetlink socket. Every error
/// names the request and the object (e.g. "RTM_NEWLINK br-lan: File exists (errno 17)").
/// </summary>
public sealed class RouteNetlink(NetlinkSocket socket) : IDisposable
{
    public NetlinkSocket Socket { get; } = socket;

    public static RouteNetlink Open() => new(NetlinkSocket.Open());
    public static RouteNetlink OpenIn(string namespacePath) => new(NetlinkSocket.OpenIn(namespacePath));

    public IReadOnlyList<LinkInfo> Links() =>
        Socket.Transact(RtnlRequests.DumpLinks(), "links").Where(m => m.Type == Kernel.RTM_NEWLINK).Select(m => RtnlParser.Link(m.Payload.Span)).ToList();

    /// <summary>The link named <paramref name="name"/>, or null when there is none.</summary>
    public LinkInfo? Link(string name)
    {
        try
        {
            var reply = Socket.Transact(RtnlRequests.GetLink(name), name);
            return reply.Count == 0 ? null : RtnlParser.Link(reply[0].Payload.Span);
        }
        catch (NetlinkException e) when (e.Errno == NetlinkException.ENODEV) { return null; }
    }

    public LinkInfo RequireLink(string name) => Link(name) ?? throw new NetlinkException(NetlinkException.ENODEV, "RTM_GETLINK", name);

    public void CreateBridge(string name) => Socket.Transact(RtnlRequests.CreateBridge(name), name);
    public void CreateVeth(string name, string peer) => Socket.Transact(RtnlRequests.CreateVeth(name, peer), $"{name} (peer {peer})");
    public void CreateVethInto(string name, string peer, int peerNamespaceFd, byte[] peerMac) =>
        Socket.Transact(RtnlRequests.CreateVethInto(name, peer, peerNamespaceFd, peerMac), $"{name} (peer {peer} in another namespace)");
    public void CreateMacvlan(string name, int parentIndex, MacvlanMode mode) =>
        Socket.Transact(RtnlRequests.CreateMacvlan(name, parentIndex, mode), name);
    public void DeleteLink(int index, string name) => Socket.Transact(RtnlRequests.DeleteLink(index), name);
    public void SetAdminState(int index, bool up, string name) => Socket.Transact(RtnlRequests.SetAdminState(index, up), name);
    public void SetMtu(int index, uint mtu, string name) => Socket.Transact(RtnlRequests.SetMtu(index, mtu), name);
    public void SetMac(int index, string mac, string name) => Socket.Transact(RtnlRequests.SetMac(index, RtnlParser.ParseMac(mac)), name);
    public void SetMaster(int index, int masterIndex, string name) => Socket.Transact(RtnlRequests.SetMaster(index, masterIndex), name);
    public void SetAlias(int index, string alias, string name) => Socket.Transact(RtnlRequests.SetAlias(index, alias), name);
    /// <summary>Renames a link, which must be down.</summary>
    public void Rename(int index, string newName, string name) => Socket.Transact(RtnlRequests.Rename(index, newName), $"{name} to {newName}");

    public void MoveToNamespace(int index, int namespaceFd, string name) => Socket.Transact(RtnlRequests.MoveToNamespace(index, namespaceFd), name);

    public IReadOnlyList<AddressInfo> Addresses() =>
        Socket.Transact(RtnlRequests.DumpAddresses(), "addresses").Where(m => m.Type == Kernel.RTM_NEWADDR).Select(m => RtnlParser.Address(m.Payload.Span)).ToList();

    public void AddAddress(int index, IPAddress address, int prefixLength) =>
        Socket.Transact(RtnlRequests.AddAddress(index, address, prefixLength), $"{address}/{prefixLength}");

    public void DeleteAddress(int index, IPAddress address, int prefixLength) =>
        Socket.Transact(RtnlRequests.DeleteAddress(index, address, prefixLength), $"{address}/{prefixLength}");

    public IReadOnlyList<RouteInfo> Routes() =>
        Socket.Transact(RtnlRequests.DumpRoutes(), "routes").Where(m => m.Type == Kernel.RTM_NEWROUTE).Select(m => RtnlParser.Route(m.Payload.Span)).ToList();

    public IReadOnlyList<NeighbourInfo> Neighbours() =>
        Socket.Transact(RtnlRequests.DumpNeighbours(), "neighbours").Where(m => m.Type == Kernel.RTM_NEWNEIGH)
            .Select(m => RtnlParser.Neighbour(m.Payload.Span)).OfType<NeighbourInfo>().ToList();

    public void AddRoute(IPAddress destination, int prefixLength, IPAddress? gateway, int? outputIndex = null, RouteProtocol protocol = RouteProtocol.Boot) =>
        Socket.Transact(RtnlRequests.AddRoute(destination, prefixLength, gateway, outputIndex, (byte)protocol), $"{destination}/{prefixLength}");

    public void DeleteRoute(IPAddress destination, int prefixLength, IPAddress? gateway, int? outputIndex = null) =>
        Socket.Transact(RtnlRequests.DeleteRoute(destination, prefixLength, gateway, outputIndex), $"{destination}/{prefixLength}");

    public void SetVfMac(int pfIndex, int vf, string mac, string pf) => Socket.Transact(RtnlVfRequests.SetMac(pfIndex, vf, RtnlParser.ParseMac(mac)), $"{pf} vf {vf}");
    public void SetVfVlan(int pfIndex, int vf, ushort vlan, byte qos, string pf) => Socket.Transact(RtnlVfRequests.SetVlan(pfIndex, vf, vlan, qos), $"{pf} vf {vf}");
    public void SetVfSpoofCheck(int pfIndex, int vf, bool on, string pf) => Socket.Transact(RtnlVfRequests.SetSpoofCheck(pfIndex, vf, on), $"{pf} vf {vf}");
    public void SetVfTrust(int pfIndex, int vf, bool on, string pf) => Socket.Transact(RtnlVfRequests.SetTrust(pfIndex, vf, on), $"{pf} vf {vf}");
    public void SetVfRate(int pfIndex, int vf, uint minMbps, uint maxMbps, string pf) => Socket.Transact(RtnlVfRequests.SetRate(pfIndex, vf, minMbps, maxMbps), $"{pf} vf {vf}");
    public void SetVfLinkState(int pfIndex, int vf, VfLinkState state, string pf) => Socket.Transact(RtnlVfRequests.SetLinkState(pfIndex, vf, state), $"{pf} vf {vf}");

    public IReadOnlyList<FdbEntry> Fdb() =>
        Socket.Transact(RtnlBridgeRequests.DumpFdb(), "fdb").Where(m => m.Type == Kernel.RTM_NEWNEIGH)
            .Select(m => RtnlBridgeParser.Fdb(m.Payload.Span)).ToList();

    public void AddStaticFdb(int portIndex, string mac, string port) =>
        Socket.Transact(RtnlBridgeRequests.AddStaticFdb(portIndex, RtnlParser.ParseMac(mac)), $"{mac} on {port}");

    public void DeleteStaticFdb(int portIndex, string mac, string port) =>
        Socket.Transact(RtnlBridgeRequests.DeleteStaticFdb(portIndex, RtnlParser.ParseMac(mac)), $"{mac} on {port}");

    public void SetPortFlags(int portIndex, bool? learning, bool? flood, string port) =>
        Socket.Transact(RtnlBridgeRequests.SetPortFlags(portIndex, learning, flood), port);

    public void SetVlanFiltering(int bridgeIndex, bool enabled, string bridge) =>
        Socket.Transact(RtnlBridgeRequests.SetVlanFiltering(bridgeIndex, enabled), bridge);

    public void AddVlan(int portIndex, PortVlan vlan, string port) =>
        Socket.Transact(RtnlBridgeRequests.AddVlan(portIndex, vlan), $"vlan {vlan.Vid} on {port}");

    public void DeleteVlan(int portIndex, ushort vid, string port) =>
        Socket.Transact(RtnlBridgeRequests.DeleteVlan(portIndex, vid), $"vlan {vid} on {port}");

    /// <summary>VLANs per bridge port; ports without VLAN information are left out.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<PortVlan>> Vlans() =>
        Socket.Transact(RtnlBridgeRequests.DumpVlans(), "bridge vlans").Where(m => m.Type == Kernel.RTM_NEWLINK)
            .Select(m => RtnlBridgeParser.Vlans(m.Payload.Span)).Where(p => p.Vlans.Count > 0)
            .ToDictionary(p => p.PortIndex, p => p.Vlans);

    public void Dispose() => Socket.Dispose();
}
