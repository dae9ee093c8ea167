using System.Net;
using System.Net.Sockets;

namespace Cpe.Netlink;

/// <summary>
/// The rtnetlink requests, built exactly as iproute2 6.1 builds the same operations (attribute order,
/// NUL termination, flags), so that the kernel sees nothing it has not seen from `ip` before.
/// Checked byte for byte against captures in tests/Cpe.UnitTests/Netlink/iproute2.
/// </summary>
public static class RtnlRequests
{
    const ushort Create = Kernel.NLM_F_REQUEST | Kernel.NLM_F_ACK | Kernel.NLM_F_EXCL | Kernel.NLM_F_CREATE;
    const ushort Change = Kernel.NLM_F_REQUEST | Kernel.NLM_F_ACK;
    const ushort Dump = Kernel.NLM_F_REQUEST | Kernel.NLM_F_DUMP;

    public static NetlinkWriter CreateBridge(string name)
    {
        var w = new NetlinkWriter(Kernel.RTM_NEWLINK, Create).IfInfo().Str(Kernel.IFLA_IFNAME, name);
        int info = w.Begin(Kernel.IFLA_LINKINFO);
        w.Str(Kernel.IFLA_INFO_KIND, "bridge", nulTerminated: false);
        return w.End(info);
    }

    public static NetlinkWriter CreateVeth(string name, string peer)
    {
        var w = new NetlinkWriter(Kernel.RTM_NEWLINK, Create).IfInfo().Str(Kernel.IFLA_IFNAME, name);
        int info = w.Begin(Kernel.IFLA_LINKINFO);
        w.Str(Kernel.IFLA_INFO_KIND, "veth", nulTerminated: false);
        int data = w.Begin(Kernel.IFLA_INFO_DATA);
        int p = w.Begin(Kernel.VETH_INFO_PEER);
        w.IfInfo().Str(Kernel.IFLA_IFNAME, peer);
        return w.End(p).End(data).End(info);
    }

    /// <summary>A veth pair whose peer is born in another namespace, with its name and MAC there (no rename, no clash).</summary>
    public static NetlinkWriter CreateVethInto(string name, string peer, int peerNamespaceFd, byte[] peerMac)
    {
        var w = new NetlinkWriter(Kernel.RTM_NEWLINK, Create).IfInfo().Str(Kernel.IFLA_IFNAME, name);
        int info = w.Begin(Kernel.IFLA_LINKINFO);
        w.Str(Kernel.IFLA_INFO_KIND, "veth", nulTerminated: false);
        int data = w.Begin(Kernel.IFLA_INFO_DATA);
        int p = w.Begin(Kernel.VETH_INFO_PEER);
        w.IfInfo().Str(Kernel.IFLA_IFNAME, peer).U32(Kernel.IFLA_NET_NS_FD, (uint)peerNamespaceFd).Attr(Kernel.IFLA_ADDRESS, peerMac);
        return w.End(p).End(data).End(info);
    }

    public static NetlinkWriter CreateMacvlan(string name, int parentIndex, MacvlanMode mode)
    {
        var w = new NetlinkWriter(Kernel.RTM_NEWLINK, Create).IfInfo()
            .U32(Kernel.IFLA_LINK, (uint)parentIndex).Str(Kernel.IFLA_IFNAME, name);
        int info = w.Begin(Kernel.IFLA_LINKINFO);
        w.Str(Kernel.IFLA_INFO_KIND, "macvlan", nulTerminated: false);
        int data = w.Begin(Kernel.IFLA_INFO_DATA);
        w.U32(Kernel.IFLA_MACVLAN_MODE, (uint)mode);
        return w.End(data).End(info);
    }

    public static NetlinkWriter DeleteLink(int index) => new NetlinkWriter(Kernel.RTM_DELLINK, Change).IfInfo(index);

    public static NetlinkWriter SetAdminState(int index, bool up) =>
        new NetlinkWriter(Kernel.RTM_NEWLINK, Change).IfInfo(index, up ? Kernel.IFF_UP : 0, Kernel.IFF_UP);

    public static NetlinkWriter SetMtu(int index, uint mtu) =>
        new NetlinkWriter(Kernel.RTM_NEWLINK, Change).IfInfo(index).U32(Kernel.IFLA_MTU, mtu);

    public static NetlinkWriter SetMac(int index, ReadOnlySpan<byte> mac) =>
        new NetlinkWriter(Kernel.RTM_NEWLINK, Change).IfInfo(index).Attr(Kernel.IFLA_ADDRESS, mac);

    /// <summary>Enslaves the link to a bridge; master 0 releases it.</summary>
    public static NetlinkWriter SetMaster(int index, int masterIndex) =>
        new NetlinkWriter(Kernel.RTM_NEWLINK, Change).IfInfo(index).U32(Kernel.IFLA_MASTER, (uint)masterIndex);

    public static NetlinkWriter SetAlias(int index, string alias) =>
        new NetlinkWriter(Kernel.RTM_NEWLINK, Change).IfInfo(index).Str(Kernel.IFLA_IFALIAS, alias, nulTerminated: false);

    public static NetlinkWriter Rename(int index, string newName) =>
        new NetlinkWriter(Kernel.RTM_NEWLINK, Change).IfInfo(index).Str(Kernel.IFLA_IFNAME, newName);

    /// <summary>Moves the link into the network namespace open as <paramref name="namespaceFd"/>.</summary>
    public static NetlinkWriter MoveToNamespace(int index, int namespaceFd) =>
        new NetlinkWriter(Kernel.RTM_NEWLINK, Change).IfInfo(index).U32(Kernel.IFLA_NET_NS_FD, (uint)namespaceFd);

    public static NetlinkWriter GetLink(string name) =>
        new NetlinkWriter(Kernel.RTM_GETLINK, Kernel.NLM_F_REQUEST).IfInfo()
            .U32(Kernel.IFLA_EXT_MASK, Kernel.RTEXT_FILTER_VF).Str(Kernel.IFLA_IFNAME, name);

    public static NetlinkWriter DumpLinks() =>
        new NetlinkWriter(Kernel.RTM_GETLINK, Dump).IfInfo().U32(Kernel.IFLA_EXT_MASK, Kernel.RTEXT_FILTER_VF);

    public static NetlinkWriter AddAddress(int index, IPAddress address, int prefixLength) =>
        Address(Kernel.RTM_NEWADDR, Create, index, address, prefixLength);

    public static NetlinkWriter DeleteAddress(int index, IPAddress address, int prefixLength) =>
        Address(Kernel.RTM_DELADDR, Change, index, address, prefixLength);

    static NetlinkWriter Address(ushort type, ushort flags, int index, IPAddress address, int prefixLength)
    {
        var bytes = address.GetAddressBytes();
        return new NetlinkWriter(type, flags).IfAddr(Family(address), (byte)prefixLength, index)
            .Attr(Kernel.IFA_LOCAL, bytes).Attr(Kernel.IFA_ADDRESS, bytes);
    }

    public static NetlinkWriter DumpAddresses() =>
        new NetlinkWriter(Kernel.RTM_GETADDR, Dump).IfAddr(Kernel.AF_UNSPEC, 0, 0);

    /// <summary>
    /// A unicast route in the main table; without a gateway it is on-link (scope link), as iproute2 does.
    /// <paramref name="protocol"/> says who installed it (RTPROT_BOOT as iproute2, RTPROT_DHCP for a lease's router).
    /// </summary>
    public static NetlinkWriter AddRoute(IPAddress destination, int prefixLength, IPAddress? gateway, int? outputIndex, byte protocol = Kernel.RTPROT_BOOT)
    {
        byte scope = gateway is null && outputIndex is not null ? Kernel.RT_SCOPE_LINK : Kernel.RT_SCOPE_UNIVERSE;
        var w = new NetlinkWriter(Kernel.RTM_NEWROUTE, Create)
            .Rt(Family(destination), (byte)prefixLength, Kernel.RT_TABLE_MAIN, protocol, scope, Kernel.RTN_UNICAST);
        return RouteAttributes(w, destination, gateway, outputIndex);
    }

    public static NetlinkWriter DeleteRoute(IPAddress destination, int prefixLength, IPAddress? gateway, int? outputIndex)
    {
        var w = new NetlinkWriter(Kernel.RTM_DELROUTE, Change)
            .Rt(Family(destination), (byte)prefixLength, Kernel.RT_TABLE_MAIN, 0, Kernel.RT_SCOPE_NOWHERE, 0);
        return RouteAttributes(w, destination, gateway, outputIndex);
    }

    static NetlinkWriter RouteAttributes(NetlinkWriter w, IPAddress destination, IPAddress? gateway, int? outputIndex)
    {
        w.Attr(Kernel.RTA_DST, destination.GetAddressBytes());
        if (gateway is not null) w.Attr(Kernel.RTA_GATEWAY, gateway.GetAddressBytes());
        if (outputIndex is int oif) w.U32(Kernel.RTA_OIF, (uint)oif);
        return w;
    }

    /// <summary>The ARP and neighbour discovery caches, as "ip neigh show" asks for them.</summary>
    public static NetlinkWriter DumpNeighbours() =>
        new NetlinkWriter(Kernel.RTM_GETNEIGH, Dump).Nd(Kernel.AF_UNSPEC, 0, 0, 0);

    public static NetlinkWriter DumpRoutes() =>
        new NetlinkWriter(Kernel.RTM_GETROUTE, Dump).Rt(Kernel.AF_UNSPEC, 0, 0, 0, 0, 0);

    static byte Family(IPAddress a) => a.AddressFamily == AddressFamily.InterNetworkV6 ? (byte)Kernel.AF_INET6 : (byte)Kernel.AF_INET;
}
