using System.Net;
using Cpe.Api;
using Cpe.Netlink;
using Cpe.Network.Dhcp;
using Cpe.Network.Reconcile;
using Cpe.Platform.Api;

namespace Cpe.Platform.Network;

// The network.* API methods: what "show interfaces", "show bridge", "show sriov", "show route" and
// "show dhcp client" print, read from the kernel under the gate.
public sealed partial class NetworkSubsystem
{
    readonly Dictionary<string, (LinkStatistics Baseline, DateTimeOffset At)> _cleared = new(StringComparer.Ordinal);

    public void AddMethods(MethodTable t)
    {
        var j = ApiJsonContext.Default;
        t.Add(ApiMethods.NetworkInterfaces, Access.Read, j.InterfacesParams, j.InterfaceInfoArray, (_, p, ct) => Locked(() => Interfaces(p.Name), ct));
        t.Add(ApiMethods.NetworkBridges, Access.Read, j.Empty, j.BridgeInfoArray, (_, _, ct) => Locked(Bridges, ct));
        t.Add(ApiMethods.NetworkMacTable, Access.Read, j.Empty, j.MacTableEntryArray, (_, _, ct) => Locked(MacTable, ct));
        t.Add(ApiMethods.NetworkSriov, Access.Read, j.Empty, j.SriovPfInfoArray, (_, _, ct) => Locked(Sriov, ct));
        t.Add(ApiMethods.NetworkRoutes, Access.Read, j.Empty, j.RouteEntryArray, (_, _, ct) => Locked(Routes, ct));
        t.Add(ApiMethods.NetworkDhcp, Access.Provisioning, j.Empty, j.DhcpClientInfoArray, (_, _, _) => Task.FromResult(Dhcp()));
        t.Add(ApiMethods.NetworkClearStatistics, Access.Configure, j.InterfacesParams, j.OkResult, (_, p, ct) => Locked(() => ClearStatistics(p.Name), ct));
        AddDiagnosticMethods(t);
    }

    async Task<T> Locked<T>(Func<T> read, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try { return read(); }
        finally { _gate.Release(); }
    }

    /// <summary>The links the box shows: front ports (by label), cped's bridges, PFs and their VFs.</summary>
    List<(string Name, string Kind, LinkInfo Link)> Shown(IReadOnlyList<LinkInfo> links)
    {
        var shown = new List<(string, string, LinkInfo)>();
        var byName = links.ToDictionary(l => l.Name, StringComparer.Ordinal);
        foreach (var port in _profile.Ports)
            if (byName.TryGetValue(port.Netdev, out var l)) shown.Add((port.Name, "port", l));
        foreach (var l in links.Where(l => l.Kind == "bridge" && KernelView.IsOwned(l)).OrderBy(l => l.Name, StringComparer.Ordinal))
            shown.Add((Label(l.Name), "bridge", l));
        foreach (var pf in _profile.PhysicalFunctions)
        {
            if (!byName.TryGetValue(pf, out var l)) continue;
            shown.Add((pf, "pf", l));
            int count = _reconciler.Sriov?.NumVfs(pf) ?? 0;
            for (int vf = 0; vf < count; vf++)
                if (_reconciler.Sriov!.VfNetdev(pf, vf) is string netdev && byName.TryGetValue(netdev, out var v)) shown.Add((netdev, "vf", v));
        }
        return shown;
    }

    InterfaceInfo[] Interfaces(string? name)
    {
        var links = _rtnl.Links();
        var names = links.ToDictionary(l => l.Index, l => l.Name);
        var addresses = AddressesByIndex();
        var shown = Shown(links);
        if (name is not null)
        {
            shown = shown.Where(s => s.Name == name || s.Link.Name == name).ToList();
            if (shown.Count == 0) throw new RpcException(RpcErrorCodes.NotFound, $"no interface named {name}");
        }
        return shown.Select(s =>
        {
            var l = s.Link;
            var (counters, at) = Counters(l);
            string? master = l.Master is int m ? names.GetValueOrDefault(m) : null;
            return new InterfaceInfo(s.Name, l.Name, s.Kind, Description(l.Alias), l.AdminUp, l.AdminUp && l.Carrier, l.OperState ?? "unknown", l.Mac, l.Mtu,
                master is null ? null : Label(master), addresses.GetValueOrDefault(l.Index) ?? [], counters, at);
        }).ToArray();
    }

    /// <summary>Every address the kernel has, as ADDRESS/LENGTH, by interface index.</summary>
    Dictionary<int, string[]> AddressesByIndex() =>
        _rtnl.Addresses().GroupBy(a => a.Index).ToDictionary(g => g.Key, g => g.Select(a => $"{a.Address}/{a.PrefixLength}").ToArray());

    /// <summary>The configured description behind the ownership marker.</summary>
    static string? Description(string? alias) =>
        alias is null ? null : alias.StartsWith(DesiredNetwork.OwnerMarker, StringComparison.Ordinal) ? alias[DesiredNetwork.OwnerMarker.Length..] : alias;

    string Label(string netdev) =>
        _profile.PortByNetdev(netdev)?.Name
        ?? (netdev.StartsWith(DesiredNetwork.BridgePrefix, StringComparison.Ordinal) ? netdev[DesiredNetwork.BridgePrefix.Length..] : netdev);

    (CounterInfo?, DateTimeOffset?) Counters(LinkInfo l)
    {
        if (l.Statistics is not LinkStatistics s) return (null, null);
        if (_cleared.TryGetValue(l.Name, out var c))
        {
            var b = c.Baseline;
            // A counter below its baseline means the device was recreated: its counters started again from zero.
            static ulong Since(ulong now, ulong then) => now >= then ? now - then : now;
            return (new CounterInfo(Since(s.RxPackets, b.RxPackets), Since(s.TxPackets, b.TxPackets), Since(s.RxBytes, b.RxBytes),
                Since(s.TxBytes, b.TxBytes), Since(s.RxErrors, b.RxErrors), Since(s.TxErrors, b.TxErrors),
                Since(s.RxDropped, b.RxDropped), Since(s.TxDropped, b.TxDropped)), c.At);
        }
        return (new CounterInfo(s.RxPackets, s.TxPackets, s.RxBytes, s.TxBytes, s.RxErrors, s.TxErrors, s.RxDropped, s.TxDropped), null);
    }

    OkResult ClearStatistics(string? name)
    {
        var shown = Shown(_rtnl.Links()).Where(s => name is null || s.Name == name || s.Link.Name == name).ToList();
        if (name is not null && shown.Count == 0) throw new RpcException(RpcErrorCodes.NotFound, $"no interface named {name}");
        var now = _clock.GetUtcNow();
        foreach (var s in shown)
            if (s.Link.Statistics is LinkStatistics stats) _cleared[s.Link.Name] = (stats, now);
        return new OkResult(true, $"statistics cleared on {shown.Count} interface(s)");
    }

    BridgeInfo[] Bridges()
    {
        var links = _rtnl.Links();
        var bridges = links.Where(l => l.Kind == "bridge" && KernelView.IsOwned(l)).OrderBy(l => l.Name, StringComparer.Ordinal).ToList();
        var vlans = bridges.Any(b => b.VlanFiltering == true) ? _rtnl.Vlans() : new Dictionary<int, IReadOnlyList<PortVlan>>();
        var addresses = AddressesByIndex();
        return bridges.Select(b => new BridgeInfo(Label(b.Name), b.Name, Description(b.Alias), b.AdminUp, b.VlanFiltering == true,
            addresses.GetValueOrDefault(b.Index) ?? [],
            links.Where(l => l.Master == b.Index).OrderBy(l => l.Name, StringComparer.Ordinal).Select(l =>
            {
                var v = vlans.GetValueOrDefault(l.Index) ?? [];
                return new BridgePortInfo(Label(l.Name), l.Name, l.AdminUp && l.Carrier, v.FirstOrDefault(x => x.Pvid)?.Vid,
                    v.Where(x => !x.Untagged).Select(x => x.Vid).ToArray());
            }).ToArray())).ToArray();
    }

    MacTableEntry[] MacTable()
    {
        var links = _rtnl.Links();
        var owned = links.Where(l => l.Kind == "bridge" && KernelView.IsOwned(l)).ToDictionary(l => l.Index, l => Label(l.Name));
        var names = links.ToDictionary(l => l.Index, l => l.Name);
        var own = links.Select(l => l.Mac).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        // Learned and static unicast entries of cped's bridges; the ports' own addresses and multicast are not forwarding entries.
        return _rtnl.Fdb().Where(f => f.Master is int m && owned.ContainsKey(m) && (Convert.ToByte(f.Mac[..2], 16) & 1) == 0)
            .Where(f => names.ContainsKey(f.PortIndex) && !own.Contains(f.Mac))
            .Select(f => new MacTableEntry(owned[f.Master!.Value], Label(names[f.PortIndex]), f.Mac, f.Vlan, f.Static))
            .OrderBy(e => e.Bridge, StringComparer.Ordinal).ThenBy(e => e.Mac, StringComparer.Ordinal).ToArray();
    }

    SriovPfInfo[] Sriov()
    {
        var sriov = _reconciler.Sriov;
        if (sriov is null) return [];
        // A VF whose netdev is not in cped's namespace is lent to a VNF (or bound to no network driver).
        string? Owner(string pf, int vf) => sriov.VfNetdev(pf, vf) is { } n && _rtnl.Link(n) is not null ? null : "lent";
        return _profile.PhysicalFunctions.Where(pf => _rtnl.Link(pf) is not null).Select(pf => new SriovPfInfo(pf, _profile.Sriov!.Driver,
            sriov.TotalVfs(pf), sriov.NumVfs(pf), sriov.Vfs(pf).Select(v => new VfStatus(v.Vf, sriov.VfNetdev(pf, v.Vf), v.Mac, v.Vlan, v.Qos,
                v.SpoofCheck, v.Trust, v.MinTxRate, v.MaxTxRate, (v.LinkState ?? VfLinkState.Auto).ToString().ToLowerInvariant(),
                Owner(pf, v.Vf))).ToArray())).ToArray();
    }

    RouteEntry[] Routes()
    {
        var names = _rtnl.Links().ToDictionary(l => l.Index, l => l.Name);
        return _rtnl.Routes().Where(r => r.Table == 254)
            .OrderBy(r => r.Destination.AddressFamily).ThenBy(r => r.Destination.ToString(), StringComparer.Ordinal)
            .Select(r => new RouteEntry($"{r.Destination}/{r.PrefixLength}", r.Gateway?.ToString(),
                r.OutputIndex is int i && names.TryGetValue(i, out var n) ? Label(n) : null, Protocol(r.Protocol), r.Table)).ToArray();
    }

    /// <summary>rtnetlink's RTPROT_* names, as iproute2 prints them.</summary>
    static string Protocol(byte p) =>
        Enum.IsDefined((RouteProtocol)p) ? ((RouteProtocol)p).ToString().ToLowerInvariant() : p.ToString(System.Globalization.CultureInfo.InvariantCulture);

    DhcpClientInfo[] Dhcp() => DhcpClients().Select(k =>
    {
        var l = k.Lease;
        string port = _profile.PortByNetdev(k.Netdev)?.Name ?? k.Netdev;
        static string[] Text(IEnumerable<IPAddress>? a) => a?.Select(x => x.ToString()).ToArray() ?? [];
        return new DhcpClientInfo(port, k.Netdev, k.State.ToString().ToLowerInvariant(), l is null ? null : $"{l.Address}/{l.PrefixLength}",
            l?.Server.ToString(), l?.ObtainedAt, l?.ObtainedAt + l?.RenewAfter, l?.ObtainedAt + l?.RebindAfter, l?.ObtainedAt + l?.LeaseTime,
            Text(l?.Options.Routers), Text(l?.Options.DnsServers), Text(l?.Options.NtpServers), l?.Options.DomainName,
            l?.Options.VendorSpecific is byte[] v ? Convert.ToHexString(v) : null,
            l?.Options.SztpBootstrapServers.Select(u => u.OriginalString).ToArray() ?? [], k.LastError);
    }).ToArray();
}
