using System.Net;
using Cpe.Netlink;
using Cpe.Network;
using Cpe.Network.Sriov;

namespace Cpe.Network.Reconcile;

/// <summary>
/// Turns the difference between the wanted state and the kernel's into the fewest steps, each with its
/// undo, phase by phase in a safe order: VF counts; VF settings; bridges, port settings and membership;
/// bridge VLANs; addresses, admin states, and last the deletion of bridges no longer wanted.
/// Nothing that matches is touched, so planning against a kernel that already matches gives no steps.
/// </summary>
public sealed class NetworkPlanner(DesiredNetwork want, INetworkKernel ops, ISriovDriver? sriov, Func<string, IpPrefix?> dhcpAddress)
{
    ISriovDriver Sriov => sriov ?? throw new SriovException("this box has no SR-IOV");

    public IEnumerable<NetworkStep> SriovCounts(KernelView have)
    {
        foreach (var pf in want.Pfs)
        {
            if (!have.Pfs.TryGetValue(pf.Pf, out var state))
                throw new NetworkPlanException($"sriov pf {pf.Pf}", "the physical function's netdev is not present");
            if (state.NumVfs == pf.VfCount) continue;
            var old = state;
            yield return new NetworkStep($"sriov pf {pf.Pf}", $"vf-count {old.NumVfs} to {pf.VfCount}",
                () => Sriov.SetNumVfs(pf.Pf, pf.VfCount),
                () =>
                {
                    Sriov.SetNumVfs(pf.Pf, old.NumVfs);
                    foreach (var vf in old.Vfs) RestoreVf(pf.Pf, vf);
                });
        }
    }

    void RestoreVf(string pf, VfInfo vf)
    {
        var s = Sriov;
        s.SetMac(pf, vf.Vf, vf.Mac);
        s.SetVlan(pf, vf.Vf, vf.Vlan, vf.Qos);
        if (vf.SpoofCheck is bool spoof) s.SetSpoofCheck(pf, vf.Vf, spoof);
        if (vf.Trust is bool trust) s.SetTrust(pf, vf.Vf, trust);
        if (vf.MinTxRate != 0 || vf.MaxTxRate != 0) s.SetRate(pf, vf.Vf, vf.MinTxRate, vf.MaxTxRate);
        if (vf.LinkState is VfLinkState state && state != VfLinkState.Auto) s.SetLinkState(pf, vf.Vf, state);
    }

    public IEnumerable<NetworkStep> VfSettings(KernelView have)
    {
        foreach (var pf in want.Pfs)
        {
            var vfs = have.Pfs[pf.Pf].Vfs.ToDictionary(v => v.Vf);
            foreach (var d in pf.Vfs)
            {
                if (!vfs.TryGetValue(d.Vf, out var v)) throw new NetworkPlanException($"sriov pf {pf.Pf} vf {d.Vf}", "the NIC does not report this VF");
                string target = $"sriov pf {pf.Pf} vf {d.Vf}";
                if (d.Mac is string mac && !string.Equals(mac, v.Mac, StringComparison.OrdinalIgnoreCase))
                    yield return new(target, $"mac {mac}", () => Sriov.SetMac(pf.Pf, d.Vf, mac), () => Sriov.SetMac(pf.Pf, d.Vf, v.Mac));
                if (d.Vlan != v.Vlan || d.Qos != v.Qos)
                    yield return new(target, $"vlan {d.Vlan} qos {d.Qos}", () => Sriov.SetVlan(pf.Pf, d.Vf, d.Vlan, d.Qos), () => Sriov.SetVlan(pf.Pf, d.Vf, v.Vlan, v.Qos));
                if (v.SpoofCheck is bool spoof && spoof != d.SpoofCheck)
                    yield return new(target, $"spoofcheck {Word(d.SpoofCheck)}", () => Sriov.SetSpoofCheck(pf.Pf, d.Vf, d.SpoofCheck), () => Sriov.SetSpoofCheck(pf.Pf, d.Vf, spoof));
                if (v.Trust is bool trust && trust != d.Trust)
                    yield return new(target, $"trust {Word(d.Trust)}", () => Sriov.SetTrust(pf.Pf, d.Vf, d.Trust), () => Sriov.SetTrust(pf.Pf, d.Vf, trust));
                if (v.MinTxRate != d.MinTxRate || v.MaxTxRate != d.MaxTxRate)
                    yield return new(target, $"tx rate {d.MinTxRate} to {d.MaxTxRate} Mbit/s",
                        () => Sriov.SetRate(pf.Pf, d.Vf, d.MinTxRate, d.MaxTxRate), () => Sriov.SetRate(pf.Pf, d.Vf, v.MinTxRate, v.MaxTxRate));
                if (v.LinkState is VfLinkState state && state != d.LinkState)
                    yield return new(target, $"link-state {d.LinkState.ToString().ToLowerInvariant()}",
                        () => Sriov.SetLinkState(pf.Pf, d.Vf, d.LinkState), () => Sriov.SetLinkState(pf.Pf, d.Vf, state));
            }
        }
    }

    static string Word(bool on) => on ? "on" : "off";

    /// <summary>Bridges to create or re-describe; ports' description, MTU and bridge; VLAN filtering (after membership).</summary>
    public IEnumerable<NetworkStep> Links(KernelView have)
    {
        foreach (var b in want.Bridges)
        {
            var link = have.Link(b.Netdev);
            if (link is null)
            {
                yield return new(b.Netdev, "create bridge", () => ops.CreateBridge(b.Netdev, b.Alias, vlanFiltering: false), () => ops.Delete(b.Netdev));
                continue;
            }
            if (link.Kind != "bridge" || !KernelView.IsOwned(link))
                throw new NetworkPlanException($"bridges bridge {b.Name}",
                    $"{b.Netdev} already exists and is not cped's ({(link.Kind ?? "device")}, alias '{link.Alias}'); rename or remove it");
            if (link.Alias != b.Alias) yield return AliasStep(b.Netdev, b.Alias, link.Alias);
        }
        var byIndex = have.Links.Values.ToDictionary(l => l.Index);
        foreach (var p in want.Ports)
        {
            var link = have.Link(p.Port.Netdev);
            if (link is null)
            {
                if (p.Configured) throw new NetworkPlanException($"interfaces interface {p.Port.Name}", $"the port's netdev {p.Port.Netdev} is not present");
                continue;
            }
            string name = link.Name;
            if (link.Alias != p.Alias) yield return AliasStep(name, p.Alias, link.Alias);
            if (p.Mac is string mac && !string.Equals(mac, link.Mac, StringComparison.OrdinalIgnoreCase))
            {
                string? oldMac = link.Mac;
                yield return new(name, $"mac {mac}", () => ops.SetMac(name, mac), () => { if (oldMac is not null) ops.SetMac(name, oldMac); });
            }
            if (link.Mtu != p.Mtu)
            {
                uint old = link.Mtu;
                yield return new(name, $"mtu {p.Mtu}", () => ops.SetMtu(name, p.Mtu), () => ops.SetMtu(name, old));
            }
            string? master = link.Master is int m && byIndex.TryGetValue(m, out var ml) ? ml.Name : null;
            if (master != p.Bridge)
                yield return new(name, p.Bridge is null ? $"leave bridge {master}" : $"join bridge {p.Bridge}",
                    () => ops.SetMaster(name, p.Bridge), () => ops.SetMaster(name, master));
        }
        foreach (var b in want.Bridges)
        {
            bool filtering = have.Link(b.Netdev)?.VlanFiltering == true;
            if (filtering != b.VlanFiltering)
                yield return new(b.Netdev, $"vlan-filtering {Word(b.VlanFiltering)}",
                    () => ops.SetVlanFiltering(b.Netdev, b.VlanFiltering), () => ops.SetVlanFiltering(b.Netdev, filtering));
        }
    }

    NetworkStep AliasStep(string name, string alias, string? old) =>
        new(name, $"alias '{alias}'", () => ops.SetAlias(name, alias), () => ops.SetAlias(name, old ?? ""));

    /// <summary>Each member of a filtering bridge carries exactly its pvid (untagged) and its tagged VLANs.</summary>
    public IEnumerable<NetworkStep> Vlans(KernelView have)
    {
        var filtering = want.Bridges.Where(b => b.VlanFiltering).Select(b => b.Netdev).ToHashSet();
        foreach (var p in want.Ports.Where(p => p.Bridge is not null && filtering.Contains(p.Bridge)))
        {
            if (have.Link(p.Port.Netdev) is not { } link) continue;
            string name = link.Name;
            var actual = have.VlansOf(link.Index).ToDictionary(v => v.Vid);
            var wanted = new List<PortVlan> { new(p.Pvid, Pvid: true, Untagged: true) };
            wanted.AddRange(p.TaggedVlans.Where(v => v != p.Pvid).Select(v => new PortVlan(v, false, false)));
            foreach (var v in wanted)
            {
                if (actual.TryGetValue(v.Vid, out var a) && a == v) continue;
                PortVlan? before = actual.TryGetValue(v.Vid, out var b) ? b : null;
                yield return new(name, $"vlan {v.Vid}{(v.Pvid ? " pvid untagged" : " tagged")}", () => ops.AddVlan(name, v),
                    () => { if (before is not null) ops.AddVlan(name, before); else ops.DeleteVlan(name, v.Vid); });
            }
            foreach (var a in actual.Values.Where(a => wanted.All(w => w.Vid != a.Vid)))
                yield return new(name, $"remove vlan {a.Vid}", () => ops.DeleteVlan(name, a.Vid), () => ops.AddVlan(name, a));
        }
    }

    /// <summary>Addresses, admin states, and the bridges that are cped's but no longer wanted.</summary>
    public IEnumerable<NetworkStep> Finish(KernelView have)
    {
        foreach (var b in want.Bridges)
            foreach (var step in AddressSteps(have, b.Netdev, b.Addresses)) yield return step;
        foreach (var p in want.Ports.Where(p => p.Bridge is null && have.Link(p.Port.Netdev) is not null))
        {
            var addresses = p.Addresses.ToList();
            if (p.Dhcp && dhcpAddress(p.Port.Netdev) is IpPrefix leased) addresses.Add(leased);
            foreach (var step in AddressSteps(have, p.Port.Netdev, addresses)) yield return step;
        }
        foreach (var p in want.Ports)
            if (have.Link(p.Port.Netdev) is { } link && link.AdminUp != p.AdminUp)
                yield return AdminStep(link.Name, p.AdminUp);
        foreach (var b in want.Bridges)
            if (have.Link(b.Netdev) is not { AdminUp: true }) yield return AdminStep(b.Netdev, true);

        var wanted = want.Bridges.Select(b => b.Netdev).ToHashSet();
        foreach (var stale in have.Links.Values.Where(l => l.Kind == "bridge" && KernelView.IsOwned(l) && !wanted.Contains(l.Name)))
        {
            string name = stale.Name, alias = stale.Alias!;
            bool filtering = stale.VlanFiltering == true, up = stale.AdminUp;
            var addresses = have.AddressesOf(stale.Index).Where(a => !IsLinkLocal(a.Address)).ToList();
            yield return new(name, "delete bridge", () => ops.Delete(name), () =>
            {
                ops.CreateBridge(name, alias, filtering);
                foreach (var a in addresses) ops.AddAddress(name, a.Address, a.PrefixLength);
                if (up) ops.SetAdminState(name, true);
            });
        }
    }

    NetworkStep AdminStep(string name, bool up) =>
        new(name, up ? "up" : "down", () => ops.SetAdminState(name, up), () => ops.SetAdminState(name, !up));

    IEnumerable<NetworkStep> AddressSteps(KernelView have, string name, IReadOnlyList<IpPrefix> wanted)
    {
        var actual = have.Link(name) is { } link
            ? have.AddressesOf(link.Index).Where(a => !IsLinkLocal(a.Address)).Select(a => new IpPrefix(a.Address, a.PrefixLength)).ToList()
            : [];
        foreach (var w in wanted.Where(w => !actual.Contains(w)))
            yield return new(name, $"add address {w}", () => ops.AddAddress(name, w.Address, w.Length), () => ops.DeleteAddress(name, w.Address, w.Length));
        foreach (var a in actual.Where(a => !wanted.Contains(a)))
            yield return new(name, $"remove address {a}", () => ops.DeleteAddress(name, a.Address, a.Length), () => ops.AddAddress(name, a.Address, a.Length));
    }

    /// <summary>fe80::/10: the kernel's own, never configured and never removed.</summary>
    static bool IsLinkLocal(IPAddress a) => a.IsIPv6LinkLocal;
}

/// <summary>The wanted state cannot be reached from what the kernel has; found before any change.</summary>
public sealed class NetworkPlanException(string target, string message) : NetworkException($"{target}: {message}")
{
    public string Target { get; } = target;
}
