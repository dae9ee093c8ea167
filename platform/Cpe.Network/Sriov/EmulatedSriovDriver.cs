using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cpe.Interop;
using Cpe.Netlink;

namespace Cpe.Network.Sriov;

/// <summary>
/// The simulated board's SR-IOV NIC (docs/reference/sriov.md): sysfs files under a simulated root, and
/// each VF a macvlan in bridge mode on the PF, named PFvN, carrying the VF's MAC, so that frames for that
/// MAC reach the VF as the NIC's layer-2 sorter would send them. The count and the MAC are enforced; VLAN,
/// QoS, spoofchk, trust, rates and link state are only recorded (in device/cpe-sim-vfs.json) and read back.
/// A VF whose macvlan disappears is gone, as a VF is after a PF reset: the count drops to the VFs still there. A VF
/// lent to a VNF is its macvlan moved into the VNF's namespace: the record says where, and it still counts.
/// </summary>
public sealed class EmulatedSriovDriver(RouteNetlink rtnl, string sysfsRoot) : ISriovDriver
{
    readonly SriovSysfs _sysfs = new(sysfsRoot);

    public long FileWrites { get; private set; }

    string Device(string pf) => Path.Combine(sysfsRoot, "class", "net", pf, "device");
    string RecordPath(string pf) => Path.Combine(Device(pf), "cpe-sim-vfs.json");
    static string VfName(string pf, int vf) => ISriovDriver.VfName(pf, vf);

    public int TotalVfs(string pf) => _sysfs.TotalVfs(pf);

    public int NumVfs(string pf) => Present(pf, rtnl.Links(), LoadRecords(pf));

    /// <summary>The VFs sriov_numvfs says there are, as far as their macvlans are still there, here or lent.</summary>
    int Present(string pf, IReadOnlyList<LinkInfo> links, List<VfRecord> records)
    {
        int written = _sysfs.NumVfs(pf);
        var names = links.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        var lent = records.Where(r => r.LentTo is { } ns && NamedNetworkNamespace.Exists(ns)).Select(r => r.Vf).ToHashSet();
        int present = 0;
        while (present < written && (names.Contains(VfName(pf, present)) || lent.Contains(present))) present++;
        return present;
    }

    public void SetNumVfs(string pf, int count)
    {
        int total = TotalVfs(pf);
        if (count < 0 || count > total)
            throw new SriovException($"{pf} supports 0 to {total} virtual functions; {count} was asked for");
        // As a real NIC's driver does (SriovSysfs skips the write): the count it has already keeps its VFs as they are.
        if (count == NumVfs(pf)) return;
        var pfLink = rtnl.RequireLink(pf);
        // As the kernel does: the old VFs go first (a change goes through 0), then the new ones come with defaults.
        foreach (var link in rtnl.Links().Where(l => l.Master is null && IsVfOf(l.Name, pf))) rtnl.DeleteLink(link.Index, link.Name);
        foreach (var dir in Directory.GetDirectories(Device(pf), "virtfn*")) Directory.Delete(dir, recursive: true);
        WriteFile(Path.Combine(Device(pf), "sriov_numvfs"), "0");
        var records = new List<VfRecord>();
        for (int vf = 0; vf < count; vf++)
        {
            string name = VfName(pf, vf);
            rtnl.CreateMacvlan(name, pfLink.Index, MacvlanMode.Bridge);
            rtnl.SetMac(rtnl.RequireLink(name).Index, DefaultMac(pfLink, vf), name);
            Directory.CreateDirectory(Path.Combine(Device(pf), $"virtfn{vf}", "net", name));
            records.Add(new VfRecord(vf));
        }
        SaveRecords(pf, records);
        if (count > 0) WriteFile(Path.Combine(Device(pf), "sriov_numvfs"), count.ToString(CultureInfo.InvariantCulture));
    }

    static bool IsVfOf(string name, string pf) =>
        name.StartsWith(pf + "v", StringComparison.Ordinal) && int.TryParse(name.AsSpan(pf.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _);

    /// <summary>A locally administered MAC from the PF's and the VF's numbers, as a NIC gives VFs one of its own.</summary>
    static string DefaultMac(LinkInfo pf, int vf) => $"02:5f:{(pf.Index >> 8) & 0xff:x2}:{pf.Index & 0xff:x2}:{(vf >> 8) & 0xff:x2}:{vf & 0xff:x2}";

    public IReadOnlyList<VfInfo> Vfs(string pf)
    {
        var links = rtnl.Links();   // one dump for the count and the MACs
        var records = LoadRecords(pf);
        int count = Present(pf, links, records);
        var macs = links.ToDictionary(l => l.Name, l => l.Mac, StringComparer.Ordinal);
        return Enumerable.Range(0, count).Select(vf =>
        {
            var r = records.FirstOrDefault(x => x.Vf == vf) ?? new VfRecord(vf);
            return new VfInfo(vf, (r.LentTo is null ? macs.GetValueOrDefault(VfName(pf, vf)) : r.LentMac) ?? "00:00:00:00:00:00", r.Vlan, r.Qos, r.SpoofCheck, r.Trust,
                r.MinTxRate, r.MaxTxRate, r.LinkState);
        }).ToList();
    }

    public string? VfNetdev(string pf, int vf) => _sysfs.VfNetdev(pf, vf);

    public void SetMac(string pf, int vf, string mac)
    {
        if (LoadRecords(pf).FirstOrDefault(r => r.Vf == vf) is { LentTo: { } ns, LentName: { } name })
        {
            // As a NIC does, the PF sets a lent VF's address too: the macvlan is in the VNF's namespace now.
            using var inside = RouteNetlink.OpenIn(ns);
            inside.SetMac(inside.RequireLink(name).Index, mac, name);
            Update(pf, vf, r => r with { LentMac = mac });
            return;
        }
        rtnl.SetMac(RequireVf(pf, vf).Index, mac, VfName(pf, vf));
    }

    public void Lend(string pf, int vf, string netnsPath, string name)
    {
        var link = RequireVf(pf, vf);
        VfLending.MoveInto(rtnl, link.Name, netnsPath, name);
        Update(pf, vf, r => r with { LentTo = netnsPath, LentName = name, LentMac = link.Mac }, requirePresent: false);
    }

    public void Reclaim(string pf, int vf, string netnsPath, string name)
    {
        VfLending.MoveBack(netnsPath, name, VfName(pf, vf));
        Update(pf, vf, r => r with { LentTo = null, LentName = null, LentMac = null }, requirePresent: false);
    }

    public void SetVlan(string pf, int vf, ushort vlan, byte qos) => Update(pf, vf, r => r with { Vlan = vlan, Qos = qos });
    public void SetSpoofCheck(string pf, int vf, bool on) => Update(pf, vf, r => r with { SpoofCheck = on });
    public void SetTrust(string pf, int vf, bool on) => Update(pf, vf, r => r with { Trust = on });
    public void SetRate(string pf, int vf, uint minMbps, uint maxMbps)
    {
        if (maxMbps != 0 && minMbps > maxMbps)
            throw new SriovException($"{pf} vf {vf}: the minimum rate {minMbps} is above the maximum {maxMbps}");
        Update(pf, vf, r => r with { MinTxRate = minMbps, MaxTxRate = maxMbps });
    }
    public void SetLinkState(string pf, int vf, VfLinkState state) => Update(pf, vf, r => r with { LinkState = state });

    LinkInfo RequireVf(string pf, int vf) =>
        rtnl.Link(VfName(pf, vf)) ?? throw new SriovException($"{pf} has no virtual function {vf}");

    void Update(string pf, int vf, Func<VfRecord, VfRecord> change, bool requirePresent = true)
    {
        var all = LoadRecords(pf);
        if (requirePresent && all.All(r => r.Vf != vf || r.LentTo is null)) RequireVf(pf, vf);
        var records = all.Where(r => r.Vf != vf).ToList();
        records.Add(change(all.FirstOrDefault(r => r.Vf == vf) ?? new VfRecord(vf)));
        SaveRecords(pf, records.OrderBy(r => r.Vf).ToList());
    }

    List<VfRecord> LoadRecords(string pf)
    {
        try { return JsonSerializer.Deserialize(File.ReadAllText(RecordPath(pf)), EmulatedVfJson.Default.ListVfRecord) ?? []; }
        catch (Exception e) when (e is IOException or JsonException) { return []; }
    }

    void SaveRecords(string pf, List<VfRecord> records) =>
        WriteFile(RecordPath(pf), JsonSerializer.Serialize(records, EmulatedVfJson.Default.ListVfRecord));

    void WriteFile(string path, string text)
    {
        try { File.WriteAllText(path, text); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SriovException($"writing {path} failed: {e.Message}", e);
        }
        FileWrites++;
    }
}

/// <summary>What the emulated NIC remembers of a VF besides its MAC; the defaults are a fresh VF's.</summary>
internal sealed record VfRecord(int Vf, ushort Vlan = 0, byte Qos = 0, bool SpoofCheck = true, bool Trust = false,
    uint MinTxRate = 0, uint MaxTxRate = 0, VfLinkState LinkState = VfLinkState.Auto,
    string? LentTo = null, string? LentName = null, string? LentMac = null);

[JsonSourceGenerationOptions(AllowDuplicateProperties = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(List<VfRecord>))]
internal sealed partial class EmulatedVfJson : JsonSerializerContext;
