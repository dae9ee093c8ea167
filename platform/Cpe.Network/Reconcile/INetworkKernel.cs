using System.Net;
using Cpe.Netlink;

namespace Cpe.Network.Reconcile;

/// <summary>
/// What the network reconciler asks of the kernel, shaped by its questions rather than by netlink: read every link,
/// address and bridge VLAN at once, and change one thing of one link, named as the kernel names it. Refusals are
/// <see cref="Cpe.Interop.LinuxException"/>s with the kernel's errno (ENODEV for a missing link, EEXIST for one
/// already there). The real one is <see cref="NetlinkNetworkKernel"/> (rtnetlink); tests use a fake that keeps the
/// same contract (NetworkKernelContract).
/// </summary>
public interface INetworkKernel
{
    /// <summary>The links by name, their addresses by index, and (when asked) the bridge ports' VLANs by index.</summary>
    NetworkSnapshot Read(bool withVlans);

    /// <summary>One link as it is now, or null.</summary>
    LinkInfo? Link(string name);

    /// <summary>Kernel changes made so far (what "a reconcile that finds nothing to do writes nothing" counts).</summary>
    long Writes { get; }

    /// <summary>Creates a bridge, down, with <paramref name="alias"/> and, when asked, VLAN filtering on.</summary>
    void CreateBridge(string name, string alias, bool vlanFiltering);

    void Delete(string name);
    void SetAlias(string name, string alias);
    void SetAdminState(string name, bool up);
    void SetMtu(string name, uint mtu);
    void SetMac(string name, string mac);
    void SetVlanFiltering(string bridge, bool on);

    /// <summary>Makes <paramref name="name"/> a port of bridge <paramref name="master"/>, or of none.</summary>
    void SetMaster(string name, string? master);

    void AddVlan(string port, PortVlan vlan);
    void DeleteVlan(string port, ushort vid);
    void AddAddress(string name, IPAddress address, int length);
    void DeleteAddress(string name, IPAddress address, int length);
}

/// <summary>The kernel's links, addresses and bridge VLANs read together (one dump each).</summary>
public sealed record NetworkSnapshot(
    IReadOnlyDictionary<string, LinkInfo> Links,
    IReadOnlyDictionary<int, List<AddressInfo>> Addresses,
    IReadOnlyDictionary<int, IReadOnlyList<PortVlan>> Vlans);
