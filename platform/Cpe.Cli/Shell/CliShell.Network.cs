using System.Globalization;
using System.Text;
using Cpe.Api;

namespace Cpe.Cli.Shell;

// Network show commands and "clear interfaces statistics" (docs/guides/cli.md).
public sealed partial class CliShell
{
    async Task<string> ShowNetworkAsync(string what, List<string> words, CancellationToken ct)
    {
        var show = Grammar.Operational.First(c => c.Name == "show").Children.First(c => c.Name == what);
        string? Sub() => words.Count == 0 ? null : Keyword.Resolve(words[0], show.Children.Select(c => c.Name), $"after 'show {what}'");
        void NoMore(int allowed)
        {
            if (words.Count > allowed) throw new CliException($"syntax error: unexpected '{words[allowed]}'");
        }
        switch (what)
        {
            case "interfaces":
            {
                // "show interfaces [terse|detail|extensive]" or "show interfaces NAME [detail|extensive]", as Junos has them.
                NoMore(2);
                bool named = words.Count == 2 || (words.Count == 1 && !show.Children.Any(c => c.Name.StartsWith(words[0], StringComparison.Ordinal)));
                string? name = named ? words[0] : null;
                string? form = words.Count == 2 ? Keyword.Resolve(words[1], ["detail", "extensive"], $"after 'show interfaces {words[0]}'")
                    : words.Count == 1 && !named ? Sub() : null;
                var interfaces = await api.InterfacesAsync(name, ct);
                return form == "terse" ? Terse(interfaces) : string.Concat(interfaces.Select(i => Interface(i, form is "detail" or "extensive")));
            }
            case "bridge":
                NoMore(1);
                return Sub() == "mac-table" ? MacTable(await api.MacTableAsync(ct)) : Bridges(await api.BridgesAsync(ct));
            case "sriov":
                NoMore(0);
                return Sriov(await api.SriovAsync(ct));
            case "route":
                NoMore(0);
                return Routes(await api.RoutesAsync(ct));
            case "arp":
                NoMore(0);
                return Neighbors(await api.NeighborsAsync(ct), ipv6: false);
            case "lldp":
            {
                if (words.Count == 0) throw new CliException("syntax error: 'show lldp' needs: neighbors");
                Sub();
                NoMore(2);
                bool detail = words.Count == 2 && Keyword.Resolve(words[1], ["detail"], "after 'show lldp neighbors'") == "detail";
                return LldpNeighbors(await api.LldpNeighborsAsync(ct), detail);
            }
            case "ipv6":
                if (words.Count == 0) throw new CliException("syntax error: 'show ipv6' needs: neighbors");
                Sub();
                NoMore(1);
                return Neighbors(await api.NeighborsAsync(ct), ipv6: true);
            default:
                if (words.Count == 0) throw new CliException("syntax error: 'show dhcp' needs: client");
                Sub();
                NoMore(1);
                return DhcpClients(await api.DhcpClientsAsync(ct));
        }
    }

    async Task<string> ClearAsync(List<string> words, CancellationToken ct)
    {
        if (words.Count < 2) throw new CliException("syntax error: 'clear' needs: interfaces statistics [name]");
        Keyword.Resolve(words[0], ["interfaces"], "after 'clear'");
        Keyword.Resolve(words[1], ["statistics"], "after 'clear interfaces'");
        if (words.Count > 3) throw new CliException($"syntax error: unexpected '{words[3]}'");
        var result = await api.ClearStatisticsAsync(words.Count == 3 ? words[2] : null, ct);
        return (result.Message ?? "statistics cleared") + "\n";
    }

    /// <summary>"show lldp neighbors [detail]": who each front port hears, as Junos lays it out.</summary>
    static string LldpNeighbors(LldpNeighborEntry[] neighbors, bool detail)
    {
        var sb = new StringBuilder();
        if (!detail) sb.Append("Local Interface  Chassis Id         Port info          System Name\n");
        foreach (var n in neighbors)
        {
            if (!detail)
            {
                sb.Append($"{n.Port,-16} {n.ChassisId,-18} {n.PortId,-18} {n.SystemName ?? "-"}\n");
                continue;
            }
            sb.Append($"Local Interface: {n.Port}\n  Chassis ID: {n.ChassisId}\n  Port ID: {n.PortId}\n");
            if (n.PortDescription is not null) sb.Append($"  Port description: {n.PortDescription}\n");
            if (n.SystemName is not null) sb.Append($"  System name: {n.SystemName}\n");
            if (n.SystemDescription is not null) sb.Append($"  System description: {n.SystemDescription}\n");
            if (n.ManagementAddress is not null) sb.Append($"  Management address: {n.ManagementAddress}\n");
            sb.Append($"  Expires in: {n.ExpiresIn} s\n");
        }
        sb.Append(neighbors.Length == 0 ? "No LLDP neighbors heard (the front ports listen; nothing has advertised itself)\n" : $"Total neighbors: {neighbors.Length}\n");
        return sb.ToString();
    }

    /// <summary>"show arp" (IPv4) and "show ipv6 neighbors": the kernel's neighbour caches, as Junos lays them out.</summary>
    static string Neighbors(NeighborEntry[] all, bool ipv6)
    {
        var entries = all.Where(n => n.Address.Contains(':', StringComparison.Ordinal) == ipv6).ToList();
        var sb = new StringBuilder(ipv6 ? "IPv6 Address              Linklayer Address  State       Router Interface\n"
            : "MAC Address       Address          Interface        State\n");
        foreach (var n in entries)
            sb.Append(ipv6 ? $"{n.Address,-25} {n.Mac ?? "-",-18} {n.State,-11} {(n.Router ? "yes" : "no"),-6} {n.Interface}\n"
                : $"{n.Mac ?? "(incomplete)",-17} {n.Address,-16} {n.Interface,-16} {n.State}\n");
        sb.Append($"Total entries: {entries.Count}\n");
        return sb.ToString();
    }

    static string UpDown(bool up) => up ? "up" : "down";

    static string Terse(InterfaceInfo[] interfaces)
    {
        var sb = new StringBuilder("Interface        Admin Link  Local                  Remark\n");
        foreach (var i in interfaces)
        {
            string remark = i.Bridge is not null ? $"bridge {i.Bridge}" : i.Kind is "bridge" or "vf" or "pf" ? i.Kind : "";
            var addresses = i.Addresses.Where(a => !a.StartsWith("fe80:", StringComparison.Ordinal)).DefaultIfEmpty("").ToList();
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"{i.Name,-16} {UpDown(i.AdminUp),-5} {UpDown(i.LinkUp),-5} {addresses[0],-22} {remark}").TrimEnd()).Append('\n');
            foreach (var more in addresses.Skip(1)) sb.Append(CultureInfo.InvariantCulture, $"{"",-29}{more}\n");
        }
        return sb.ToString();
    }

    string Interface(InterfaceInfo i, bool detail)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{(i.Kind == "port" ? "Physical interface" : "Interface")}: {i.Name}, {(i.AdminUp ? "Enabled" : "Administratively down")}, Physical link is {(i.LinkUp ? "Up" : "Down")}\n");
        sb.Append(CultureInfo.InvariantCulture, $"  Netdev: {i.Netdev}, Type: {i.Kind}, MTU: {i.Mtu}, State: {i.OperState}\n");
        if (!string.IsNullOrEmpty(i.Description)) sb.Append(CultureInfo.InvariantCulture, $"  Description: {i.Description}\n");
        if (i.Mac is not null) sb.Append(CultureInfo.InvariantCulture, $"  MAC address: {i.Mac}\n");
        if (i.Bridge is not null) sb.Append(CultureInfo.InvariantCulture, $"  Member of bridge: {i.Bridge}\n");
        foreach (var a in i.Addresses) sb.Append(CultureInfo.InvariantCulture, $"  Address: {a}\n");
        if (i.Counters is CounterInfo c)
        {
            if (i.CountersClearedAt is DateTimeOffset at) sb.Append(CultureInfo.InvariantCulture, $"  Statistics last cleared: {Time(at)}\n");
            sb.Append(CultureInfo.InvariantCulture, $"  Input packets:  {c.RxPackets,-14} Input bytes:  {c.RxBytes}\n");
            sb.Append(CultureInfo.InvariantCulture, $"  Output packets: {c.TxPackets,-14} Output bytes: {c.TxBytes}\n");
            if (detail)
            {
                sb.Append(CultureInfo.InvariantCulture, $"  Input errors:   {c.RxErrors,-14} Input drops:  {c.RxDropped}\n");
                sb.Append(CultureInfo.InvariantCulture, $"  Output errors:  {c.TxErrors,-14} Output drops: {c.TxDropped}\n");
            }
        }
        return sb.Append('\n').ToString();
    }

    static string Bridges(BridgeInfo[] bridges)
    {
        if (bridges.Length == 0) return "No bridges configured\n";
        var sb = new StringBuilder();
        foreach (var b in bridges)
        {
            sb.Append(CultureInfo.InvariantCulture, $"Bridge: {b.Name} ({b.Netdev}), {UpDown(b.AdminUp)}, VLAN filtering {(b.VlanFiltering ? "on" : "off")}\n");
            if (!string.IsNullOrEmpty(b.Description)) sb.Append(CultureInfo.InvariantCulture, $"  Description: {b.Description}\n");
            foreach (var a in b.Addresses) sb.Append(CultureInfo.InvariantCulture, $"  Address: {a}\n");
            sb.Append("  Port             Link  PVID  Tagged VLANs\n");
            foreach (var p in b.Ports)
                sb.Append(CultureInfo.InvariantCulture, $"  {p.Name,-16} {UpDown(p.LinkUp),-5} {(p.Pvid?.ToString(CultureInfo.InvariantCulture) ?? "-"),-5} {(p.Tagged.Length == 0 ? "-" : string.Join(',', p.Tagged))}\n");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    static string MacTable(MacTableEntry[] entries)
    {
        var sb = new StringBuilder("Bridge       MAC address        VLAN  Port             Type\n");
        foreach (var e in entries)
            sb.Append(CultureInfo.InvariantCulture, $"{e.Bridge,-12} {e.Mac,-18} {(e.Vlan?.ToString(CultureInfo.InvariantCulture) ?? "-"),-5} {e.Port,-16} {(e.Static ? "static" : "learned")}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{entries.Length} entr{(entries.Length == 1 ? "y" : "ies")}\n");
        return sb.ToString();
    }

    static string Sriov(SriovPfInfo[] pfs)
    {
        if (pfs.Length == 0) return "This box has no SR-IOV physical functions\n";
        var sb = new StringBuilder();
        foreach (var pf in pfs)
        {
            sb.Append(CultureInfo.InvariantCulture, $"PF {pf.Pf} ({pf.Driver}): {pf.NumVfs} of {pf.TotalVfs} VFs\n");
            if (pf.Vfs.Length == 0) { sb.Append('\n'); continue; }
            // 80 columns with a VNF name of 5 as owner: Rate is min/max Mbit/s, Spoof the spoof check.
            sb.Append("  VF  Netdev      MAC               VLAN QoS Spoof Trust Rate      Link    Owner\n");
            foreach (var v in pf.Vfs)
            {
                string rate = v.MinTxRate == 0 && v.MaxTxRate == 0 ? "-" : $"{v.MinTxRate}/{v.MaxTxRate}";
                sb.Append(CultureInfo.InvariantCulture,
                    $"  {v.Vf,-3} {v.Netdev ?? "-",-11} {v.Mac,-17} {(v.Vlan == 0 ? "-" : v.Vlan.ToString(CultureInfo.InvariantCulture)),-4} {v.Qos,-3} {OnOff(v.SpoofCheck),-5} {OnOff(v.Trust),-5} {rate,-9} {v.LinkState,-7} {v.Owner ?? "-"}\n");
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    static string OnOff(bool? value) => value switch { true => "on", false => "off", null => "-" };

    static string Routes(RouteEntry[] routes)
    {
        var sb = new StringBuilder("Destination                Gateway          Interface        Protocol\n");
        foreach (var r in routes)
            sb.Append(CultureInfo.InvariantCulture, $"{r.Destination,-26} {r.Gateway ?? "-",-16} {r.Interface ?? "-",-16} {r.Protocol}\n");
        return sb.ToString();
    }

    string DhcpClients(DhcpClientInfo[] clients)
    {
        if (clients.Length == 0) return "No port is configured for DHCP\n";
        var sb = new StringBuilder();
        foreach (var c in clients)
        {
            sb.Append(CultureInfo.InvariantCulture, $"Port {c.Port} ({c.Netdev}): {c.State}\n");
            if (c.Address is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $"  Address: {c.Address} from server {c.Server}\n");
                sb.Append(CultureInfo.InvariantCulture, $"  Obtained: {Time(c.ObtainedAt!.Value)}\n  Renew at: {Time(c.RenewAt!.Value)}\n  Rebind at: {Time(c.RebindAt!.Value)}\n  Expires: {Time(c.ExpiresAt!.Value)}\n");
                if (c.Routers.Length > 0) sb.Append(CultureInfo.InvariantCulture, $"  Routers: {string.Join(", ", c.Routers)}\n");
                if (c.DnsServers.Length > 0) sb.Append(CultureInfo.InvariantCulture, $"  DNS servers: {string.Join(", ", c.DnsServers)}\n");
                if (c.NtpServers.Length > 0) sb.Append(CultureInfo.InvariantCulture, $"  NTP servers: {string.Join(", ", c.NtpServers)}\n");
                if (c.DomainName is not null) sb.Append(CultureInfo.InvariantCulture, $"  Domain: {c.DomainName}\n");
                if (c.VendorSpecific is not null) sb.Append(CultureInfo.InvariantCulture, $"  Vendor-specific (43): {c.VendorSpecific}\n");
                if (c.SztpBootstrapServers.Length > 0)
                {
                    sb.Append("  SZTP bootstrap servers (option 143):\n");
                    foreach (var u in c.SztpBootstrapServers) sb.Append("    ").Append(u).Append('\n');
                }
            }
            if (c.LastError is not null) sb.Append(CultureInfo.InvariantCulture, $"  Last error: {c.LastError}\n");
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
