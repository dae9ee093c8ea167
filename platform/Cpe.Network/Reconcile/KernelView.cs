using Cpe.Netlink;
using Cpe.Network.Sriov;

namespace Cpe.Network.Reconcile;

/// <summary>The PF's VF count and each VF's settings, as the NIC reports them.</summary>
public sealed record PfState(int NumVfs, IReadOnlyList<VfInfo> Vfs);

/// <summary>
/// What the kernel has, read in a handful of dumps: links, addresses, bridge VLANs, VFs. The reconciler
/// compares the wanted state with this and never with what it applied last time: the kernel is the truth.
/// </summary>
public sealed class KernelView
{
    public required IReadOnlyDictionary<string, LinkInfo> Links { get; init; }
    public required IReadOnlyDictionary<int, List<AddressInfo>> Addresses { get; init; }
    public required IReadOnlyDictionary<int, IReadOnlyList<PortVlan>> Vlans { get; init; }
    public required IReadOnlyDictionary<string, PfState> Pfs { get; init; }

    public static KernelView Read(INetworkKernel kernel, ISriovDriver? sriov, IEnumerable<string> pfs, bool withVlans)
    {
        var (links, addresses, vlans) = kernel.Read(withVlans);
        var pfState = new Dictionary<string, PfState>(StringComparer.Ordinal);
        if (sriov is not null)
            foreach (var pf in pfs.Where(links.ContainsKey)) pfState[pf] = new PfState(sriov.NumVfs(pf), sriov.Vfs(pf));
        return new KernelView { Links = links, Addresses = addresses, Vlans = vlans, Pfs = pfState };
    }

    public LinkInfo? Link(string name) => Links.GetValueOrDefault(name);

    public IReadOnlyList<AddressInfo> AddressesOf(int index) => Addresses.TryGetValue(index, out var list) ? list : [];

    public IReadOnlyList<PortVlan> VlansOf(int index) => Vlans.TryGetValue(index, out var list) ? list : [];

    public static bool IsOwned(LinkInfo link) => link.Alias?.StartsWith(DesiredNetwork.OwnerMarker, StringComparison.Ordinal) == true;
}
