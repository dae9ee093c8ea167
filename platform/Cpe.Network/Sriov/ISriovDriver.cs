using Cpe.Netlink;

namespace Cpe.Network.Sriov;

/// <summary>
/// A box's SR-IOV: VF counts and per-VF settings. <see cref="KernelSriovDriver"/> drives a real NIC;
/// <see cref="EmulatedSriovDriver"/> is the simulated board's software NIC. The reconciler sees no difference.
/// </summary>
public interface ISriovDriver
{
    /// <summary>The driver a board profile names, over <paramref name="rtnl"/>; null for a board without SR-IOV.</summary>
    static ISriovDriver? For(Cpe.Board.Profile.SriovProfile? profile, RouteNetlink rtnl) => profile switch
    {
        null => null,
        { Driver: "emulated" } s => new EmulatedSriovDriver(rtnl, s.SysfsRoot),
        var s => new KernelSriovDriver(rtnl, new SriovSysfs(s.SysfsRoot)),
    };

    int TotalVfs(string pf);

    /// <summary>VFs the PF has now.</summary>
    int NumVfs(string pf);

    /// <summary>Sets the count, through 0 when going from one non-zero count to another; every VF then starts from defaults.</summary>
    void SetNumVfs(string pf, int count);

    /// <summary>Each VF's settings as the NIC reports them.</summary>
    IReadOnlyList<VfInfo> Vfs(string pf);

    /// <summary>The VF's netdev, or null while it has none.</summary>
    string? VfNetdev(string pf, int vf);

    void SetMac(string pf, int vf, string mac);
    void SetVlan(string pf, int vf, ushort vlan, byte qos);
    void SetSpoofCheck(string pf, int vf, bool on);
    void SetTrust(string pf, int vf, bool on);
    void SetRate(string pf, int vf, uint minMbps, uint maxMbps);
    void SetLinkState(string pf, int vf, VfLinkState state);

    /// <summary>Lends the VF to a VNF: its netdev moves into the network namespace at <paramref name="netnsPath"/>, named <paramref name="name"/> there.</summary>
    void Lend(string pf, int vf, string netnsPath, string name);

    /// <summary>Takes a lent VF back from that namespace: its netdev comes back to cped's, named PFvN (<see cref="VfName"/>).</summary>
    void Reclaim(string pf, int vf, string netnsPath, string name);

    /// <summary>The name a VF's netdev gets in cped's namespace when it comes back from a VNF.</summary>
    static string VfName(string pf, int vf) => $"{pf}v{vf}";

    /// <summary>Writes made outside netlink (sysfs files, the emulation's records): with the socket's count, what a reconcile changed.</summary>
    long FileWrites { get; }
}
