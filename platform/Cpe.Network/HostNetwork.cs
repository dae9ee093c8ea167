using Cpe.Board.Profile;
using Cpe.Netlink;
using Cpe.Network.Reconcile;
using Cpe.Network.Sriov;

namespace Cpe.Network;

/// <summary>
/// cped's network namespace as its subsystems share it, opened once by the composition root: one rtnetlink socket,
/// the network reconciler's view of it, and on a board with SR-IOV the one driver of its VFs. The network reconciler
/// (VF counts, settings, bridge ports) and VNF wiring (lending a free VF, taking it back) each decide about VFs; they
/// hold <see cref="VfOwnership"/> while they do, so that a VF is never picked as free for a VNF while a reconcile
/// puts it in a bridge or recreates it.
/// </summary>
public sealed class HostNetwork : IDisposable
{
    HostNetwork(RouteNetlink rtnl, SriovProfile? sriov)
    {
        Rtnl = rtnl;
        Kernel = new NetlinkNetworkKernel(rtnl);
        Sriov = ISriovDriver.For(sriov, rtnl);
    }

    /// <summary>The namespace this thread is in, with the board's SR-IOV (null: none).</summary>
    public static HostNetwork Open(SriovProfile? sriov) => new(RouteNetlink.Open(), sriov);

    public RouteNetlink Rtnl { get; }

    /// <summary>What the network reconciler asks of the kernel, on <see cref="Rtnl"/>.</summary>
    public INetworkKernel Kernel { get; }

    /// <summary>The board's SR-IOV driver, on <see cref="Rtnl"/>; null on a board without SR-IOV.</summary>
    public ISriovDriver? Sriov { get; }

    /// <summary>Held by whoever decides about VFs, for the whole decision (a reconcile, a lend, a reclaim).</summary>
    public Lock VfOwnership { get; } = new();

    public void Dispose() => Rtnl.Dispose();
}
