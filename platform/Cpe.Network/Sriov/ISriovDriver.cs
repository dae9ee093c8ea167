using Cpe.Netlink;

namespace Cpe.Network.Sriov;

/// <summary>
/// A box's SR-IOV: VF counts and per-VF settings. <see cref="KernelSriovDriver"/> drives a real NIC;
/// <see cref="EmulatedSriovDriver"/> is the simulated board's software NIC. The reconciler sees no difference.
/// </summary>
public interface ISriovDriver
{
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

    /// <summary>Writes made outside netlink (sysfs files, the emulation's records): with the socket's count, what a reconcile changed.</summary>
    long FileWrites { get; }
}
