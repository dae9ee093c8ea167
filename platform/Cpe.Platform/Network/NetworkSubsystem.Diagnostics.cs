using System.Net;
using System.Net.Sockets;
using Cpe.Api;
using Cpe.Interop;
using Cpe.Netlink;
using Cpe.Network;
using Cpe.Network.Diagnostics;
using Cpe.Network.Lldp;
using Microsoft.Extensions.Logging;
using Cpe.Network.Reconcile;
using Cpe.Platform.Api;

namespace Cpe.Platform.Network;

// The field tools' methods: one echo request per network.probe (the CLI's ping and traceroute are series of them, so
// each reply is printed as it comes and Ctrl-C stops between two), the ARP and neighbour caches (network.neighbors),
// and what LLDP neighbours on the front ports say (network.lldp).
public sealed partial class NetworkSubsystem
{
    /// <summary>Probes running at once, each holding a raw socket for its wait: clients cannot open more than this.</summary>
    const int MaxProbes = 8;
    const int MaxWaitMs = 10_000;
    readonly SemaphoreSlim _probes = new(MaxProbes, MaxProbes);

    /// <summary>The network namespace of a VNF instance (or of a VNF with one replica), for probes from inside it.</summary>
    public Func<string, string>? VnfNamespace { get; set; }

    void AddDiagnosticMethods(MethodTable t)
    {
        var j = ApiJsonContext.Default;
        t.Add(ApiMethods.NetworkProbe, Access.Read, j.ProbeParams, j.ProbeResult, (_, p, ct) => ProbeAsync(p, ct));
        t.Add(ApiMethods.NetworkNeighbors, Access.Read, j.Empty, j.NeighborEntryArray, (_, _, ct) => Locked(Neighbors, ct));
        t.Add(ApiMethods.NetworkLldp, Access.Read, j.Empty, j.LldpNeighborEntryArray, (_, _, _) => Task.FromResult(LldpNeighbors()));
    }

    LldpListener? _lldp;

    /// <summary>LLDP on the front ports, as they are at start (their interface indexes do not change while cped runs).</summary>
    void StartLldp(IReadOnlyList<LinkInfo> links)
    {
        var ports = links.Where(l => _profile.PortByNetdev(l.Name) is not null).ToDictionary(l => l.Index, l => l.Name);
        try { _lldp = LldpListener.Start(ports, _clock); }
        catch (IOException e) { Log.LldpUnavailable(_log, e); }
    }

    LldpNeighborEntry[] LldpNeighbors()
    {
        var now = _clock.GetUtcNow();
        return (_lldp?.Table.Neighbors() ?? []).Select(n => new LldpNeighborEntry(Label(n.Netdev), n.Advertisement.ChassisId, n.Advertisement.PortId,
            n.Advertisement.SystemName, n.Advertisement.PortDescription, n.Advertisement.SystemDescription, n.Advertisement.ManagementAddress,
            (int)Math.Ceiling((n.ExpiresAt - now).TotalSeconds))).ToArray();
    }

    async Task<ProbeResult> ProbeAsync(ProbeParams p, CancellationToken ct)
    {
        static RpcException Invalid(string message) => new(RpcErrorCodes.InvalidParams, message);
        if (p.Size is < 0 or > IcmpProbe.MaxPayloadBytes) throw Invalid($"size must be 0..{IcmpProbe.MaxPayloadBytes} bytes");
        if (p.WaitMs is < 1 or > MaxWaitMs) throw Invalid($"wait must be 1..{MaxWaitMs} ms");
        if (p.Ttl is < 1 or > 255) throw Invalid("ttl must be 1..255");
        if (p.Sequence is < 0 or > ushort.MaxValue || p.Identifier is < 0 or > ushort.MaxValue) throw Invalid("sequence and identifier are 16-bit numbers");
        string? ns = p.Vnf is null ? null : (VnfNamespace ?? throw Invalid("this box runs no VNFs"))(p.Vnf);
        IPAddress? source = null;
        if (p.Source is not null && !IPAddress.TryParse(p.Source, out source)) throw Invalid($"source {p.Source} is not an IP address");
        var target = await ResolveAsync(p.Destination, source?.AddressFamily, ct);
        // In the platform's namespace an interface is named as the CLI shows it (ge-0/0/1, a bridge's name); in a VNF's, as the VNF sees it.
        string? device = p.Interface is null || ns is not null ? p.Interface
            : _profile.Port(p.Interface)?.Netdev ?? (_applied?.Bridges.Any(b => b.Name == p.Interface) == true ? DesiredNetwork.BridgeNetdev(p.Interface) : p.Interface);
        if (!_probes.Wait(0)) throw new RpcException(RpcErrorCodes.Busy, $"{MaxProbes} probes are running already; try again when one has ended");
        try
        {
            var request = new ProbeRequest(target, (ushort)(p.Identifier == 0 ? Random.Shared.Next(1, 65_536) : p.Identifier), (ushort)p.Sequence, p.Size,
                TimeSpan.FromMilliseconds(p.WaitMs), p.Ttl, source, device, p.DoNotFragment, ns);
            var a = await IcmpProbe.SendAsync(request, ct);
            string outcome = a.Outcome switch
            {
                ProbeOutcome.Reply => "reply",
                ProbeOutcome.TimeExceeded => "time-exceeded",
                ProbeOutcome.Unreachable => "unreachable",
                _ => "timeout",
            };
            return new ProbeResult(target.ToString(), outcome, a.From?.ToString(), a.Bytes, a.Ttl, a.RoundTrip?.TotalMilliseconds, a.Detail, a.Flag);
        }
        catch (Exception e) when (e is NetworkException or LinuxException or SocketException) { throw Invalid(e.Message); }
        finally { _probes.Release(); }
    }

    /// <summary>An address as given, or a name resolved by the platform (IPv4 first, as Junos pings inet unless told).</summary>
    static async Task<IPAddress> ResolveAsync(string destination, AddressFamily? family, CancellationToken ct)
    {
        if (IPAddress.TryParse(destination, out var address)) return address;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        IPAddress[] found;
        try { found = await Dns.GetHostAddressesAsync(destination, timeout.Token); }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ArgumentException)
        {
            throw new RpcException(RpcErrorCodes.NotFound, $"cannot resolve {destination}: {(e is OperationCanceledException ? "no answer within 5 s" : e.Message)}");
        }
        return found.FirstOrDefault(a => a.AddressFamily == (family ?? AddressFamily.InterNetwork)) ?? found.FirstOrDefault()
            ?? throw new RpcException(RpcErrorCodes.NotFound, $"cannot resolve {destination}: no address");
    }

    /// <summary>Resolved and changing entries as "ip neigh" lists them (not the kernel's NOARP ones: multicast, loopback).</summary>
    NeighborEntry[] Neighbors()
    {
        var names = _rtnl.Links().ToDictionary(l => l.Index, l => l.Name);
        return _rtnl.Neighbours().Where(n => !n.NoArp)
            .Select(n => new NeighborEntry(n.Address.ToString(), n.Mac, names.TryGetValue(n.Index, out var netdev) ? Label(netdev) : $"index {n.Index}", n.StateName, n.Router))
            .OrderBy(n => n.Interface, StringComparer.Ordinal).ThenBy(n => n.Address, StringComparer.Ordinal).ToArray();
    }
}
