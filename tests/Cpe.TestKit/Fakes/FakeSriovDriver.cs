using System.Globalization;
using Cpe.Netlink;
using Cpe.Network.Sriov;

namespace Cpe.TestKit;

/// <summary>
/// An in-memory SR-IOV NIC for unit tests of what drives VFs (the network reconciler, VNF wiring): PFs with a VF limit,
/// VFs with a NIC's defaults, lending into a namespace path and taking back, kept honest by SriovDriverContract, which
/// runs the same tests against it and against the emulated NIC on real netlink.
/// </summary>
public sealed class FakeSriovDriver : ISriovDriver
{
    sealed class Vf(int number)
    {
        public VfInfo Settings = new(number, "00:00:00:00:00:00", 0, 0, SpoofCheck: true, Trust: false, 0, 0, VfLinkState.Auto);
        public (string Netns, string Name)? LentTo;
    }

    readonly Dictionary<string, (int Total, List<Vf> Vfs)> _pfs = new(StringComparer.Ordinal);

    public long FileWrites { get; private set; }

    /// <summary>A PF the board has, with no VFs yet.</summary>
    public void AddPf(string pf, int totalVfs) => _pfs[pf] = (totalVfs, []);

    /// <summary>The MAC of the VF lent into <paramref name="netns"/> as <paramref name="name"/>, or null if none is.</summary>
    public string? MacInside(string netns, string name) =>
        _pfs.Values.SelectMany(p => p.Vfs).FirstOrDefault(v => v.LentTo == (netns, name))?.Settings.Mac;

    /// <summary>Whether a VF's netdev named <paramref name="netdev"/> is in the host's namespace.</summary>
    public bool IsHere(string netdev) =>
        _pfs.Any(p => p.Value.Vfs.Any(v => v.LentTo is null && ISriovDriver.VfName(p.Key, v.Settings.Vf) == netdev));

    (int Total, List<Vf> Vfs) Pf(string pf) =>
        _pfs.TryGetValue(pf, out var p) ? p : throw new SriovException($"{pf} is not an SR-IOV physical function");

    Vf Require(string pf, int vf) =>
        Pf(pf).Vfs.ElementAtOrDefault(vf) ?? throw new SriovException($"{pf} has no virtual function {vf}");

    public int TotalVfs(string pf) => Pf(pf).Total;

    public int NumVfs(string pf) => Pf(pf).Vfs.Count;

    public void SetNumVfs(string pf, int count)
    {
        var (total, vfs) = Pf(pf);
        if (count < 0 || count > total) throw new SriovException($"{pf} supports 0 to {total} virtual functions; {count} was asked for");
        if (count == vfs.Count) return;
        FileWrites += vfs.Count != 0 && count != 0 ? 2 : 1;
        vfs.Clear();
        vfs.AddRange(Enumerable.Range(0, count).Select(n => new Vf(n)));
    }

    public IReadOnlyList<VfInfo> Vfs(string pf) => Pf(pf).Vfs.Select(v => v.Settings).ToList();

    public string? VfNetdev(string pf, int vf) =>
        Pf(pf).Vfs.ElementAtOrDefault(vf) is { LentTo: null } ? ISriovDriver.VfName(pf, vf) : null;

    void Change(string pf, int vf, Func<VfInfo, VfInfo> change)
    {
        var v = Require(pf, vf);
        v.Settings = change(v.Settings);
    }

    public void SetMac(string pf, int vf, string mac) => Change(pf, vf, s => s with { Mac = mac.ToLower(CultureInfo.InvariantCulture) });
    public void SetVlan(string pf, int vf, ushort vlan, byte qos) => Change(pf, vf, s => s with { Vlan = vlan, Qos = qos });
    public void SetSpoofCheck(string pf, int vf, bool on) => Change(pf, vf, s => s with { SpoofCheck = on });
    public void SetTrust(string pf, int vf, bool on) => Change(pf, vf, s => s with { Trust = on });
    public void SetRate(string pf, int vf, uint minMbps, uint maxMbps) => Change(pf, vf, s => s with { MinTxRate = minMbps, MaxTxRate = maxMbps });
    public void SetLinkState(string pf, int vf, VfLinkState state) => Change(pf, vf, s => s with { LinkState = state });

    public void Lend(string pf, int vf, string netnsPath, string name)
    {
        var v = Require(pf, vf);
        if (v.LentTo is not null) throw new SriovException($"{pf} vf {vf} has no netdev here (bound to no driver, or lent already)");
        v.LentTo = (netnsPath, name);
    }

    public void Reclaim(string pf, int vf, string netnsPath, string name)
    {
        if (Pf(pf).Vfs.ElementAtOrDefault(vf) is { } v && v.LentTo == (netnsPath, name)) v.LentTo = null;
    }
}
