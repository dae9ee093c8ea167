using System.Net;
using Cpe.Netlink;
using Cpe.Network.Dhcp;
using Cpe.Network.Reconcile;

namespace Cpe.Platform.Network;

// The DHCP clients: one per port configured with "dhcp true", its lease on the port and its default route.
public sealed partial class NetworkSubsystem
{
    /// <summary>Why the WAN port cannot reach anything yet, or null when it has a DHCP lease (the boot health check asks).</summary>
    public string? WanProblem()
    {
        if (_profile.Wan is not { } wan) return "the board has no WAN port";
        return LeasedAddress(wan.Netdev) is { } address ? null : $"{wan.Name} ({wan.Netdev}) has no DHCP lease";
    }

    IpPrefix? LeasedAddress(string netdev)
    {
        lock (_dhcp) return _dhcp.TryGetValue(netdev, out var k) && k.Lease is DhcpLease l ? new IpPrefix(l.Address, l.PrefixLength) : null;
    }

    string LeasePath(string netdev) => Path.Combine(_stateDirectory, $"dhcp-{netdev}.json");

    /// <summary>Stops the clients of ports no longer on DHCP and makes (without starting) those of ports newly on it.</summary>
    async Task<List<DhcpKeeper>> SyncDhcpAsync(DesiredNetwork want)
    {
        var wanted = want.Ports.Where(p => p.Dhcp).Select(p => p.Port.Netdev).ToHashSet(StringComparer.Ordinal);
        List<DhcpKeeper> stopping;
        lock (_dhcp)
        {
            stopping = _dhcp.Values.Where(k => !wanted.Contains(k.Netdev)).ToList();
            foreach (var k in stopping) _dhcp.Remove(k.Netdev);
        }
        foreach (var k in stopping) await k.StopAsync(release: true);
        var starting = new List<DhcpKeeper>();
        foreach (var netdev in wanted)
        {
            lock (_dhcp) if (_dhcp.ContainsKey(netdev)) continue;
            var link = _rtnl.RequireLink(netdev);
            // The address the reconcile about to run gives the port (the box's MAC rule), else the NIC's.
            string mac = want.Ports.First(p => p.Port.Netdev == netdev).Mac ?? link.Mac!;
            var keeper = new DhcpKeeper(netdev, RtnlParser.ParseMac(mac), LeasePath(netdev), () => DhcpPacketSocket.Open(link.Index), _clock);
            keeper.LeaseChanged = lease =>
            {
                _events.Record(lease is null ? "dhcp-lease-lost" : "dhcp-lease",
                    lease is null ? $"{netdev}: DHCP lease lost ({keeper.LastError})"
                        : $"{netdev}: {lease.Address}/{lease.PrefixLength} from {lease.Server} for {lease.LeaseTime.TotalSeconds:0} s");
                ScheduleRestore();
            };
            lock (_dhcp) _dhcp[netdev] = keeper;
            starting.Add(keeper);
        }
        return starting;
    }

    /// <summary>A default route through the first router of each lease, unless the main table already has one there.</summary>
    void EnsureDefaultRoutes()
    {
        List<(string Netdev, IPAddress Router)> wanted;
        lock (_dhcp)
            wanted = _dhcp.Values.Where(k => k.Lease?.Options.Routers.Count > 0)
                .Select(k => (k.Netdev, k.Lease!.Options.Routers[0])).ToList();
        if (wanted.Count == 0) return;
        var defaults = _rtnl.Routes().Where(r => r.PrefixLength == 0 && r.Destination.Equals(IPAddress.Any) && r.Table == 254).ToList();
        foreach (var (netdev, router) in wanted)
        {
            if (defaults.Any(r => router.Equals(r.Gateway))) continue;
            _rtnl.AddRoute(IPAddress.Any, 0, router, _rtnl.RequireLink(netdev).Index, RouteProtocol.Dhcp);
        }
    }

    public IReadOnlyList<DhcpKeeper> DhcpClients()
    {
        lock (_dhcp) return [.. _dhcp.Values];
    }
}
