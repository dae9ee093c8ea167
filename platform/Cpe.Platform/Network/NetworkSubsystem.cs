using System.Text.Json.Nodes;
using Cpe.Board.Profile;
using Cpe.Config;
using Cpe.Interop;
using Cpe.Netlink;
using Cpe.Network;
using Cpe.Network.Dhcp;
using Cpe.Network.Reconcile;
using Cpe.Platform.Configuration;
using Cpe.Platform.Events;
using Microsoft.Extensions.Logging;

namespace Cpe.Platform.Network;

/// <summary>
/// The network as one subsystem of the config engine: reconciles each commit, keeps a DHCP client on
/// every port configured for it, puts the kernel back when VFs are lost behind its back (a PF reset),
/// and turns carrier changes on front ports into events and alarms. Everything that touches the kernel
/// runs under one gate, so reconciles, restores and show commands never interleave.
/// </summary>
public sealed partial class NetworkSubsystem : IReconciler, IAsyncDisposable
{
    readonly NetworkProfile _profile;
    readonly string _stateDirectory;
    readonly PlatformEvents _events;
    readonly ILogger _log;
    readonly TimeProvider _clock;
    readonly HostNetwork _host;
    readonly RouteNetlink _rtnl;
    readonly NetworkReconciler _reconciler;
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly CancellationTokenSource _stop = new();
    readonly Dictionary<string, DhcpKeeper> _dhcp = new(StringComparer.Ordinal);
    /// <summary>The wanted state of the last configuration applied, which restores bring the kernel back to.</summary>
    DesiredNetwork? _applied;
    NetlinkMonitor? _monitor;
    Task? _watch;
    int _resyncPending;

    /// <param name="host">cped's namespace as the subsystems share it; the composition root owns it.</param>
    public NetworkSubsystem(HostNetwork host, NetworkProfile profile, string stateDirectory, PlatformEvents events, ILogger log, TimeProvider clock)
    {
        _host = host;
        _profile = profile;
        _stateDirectory = stateDirectory;
        _events = events;
        _log = log;
        _clock = clock;
        _rtnl = host.Rtnl;
        _reconciler = new NetworkReconciler(host.Kernel, profile, host.Sriov) { DhcpAddress = LeasedAddress };
    }

    public string Subsystem => "network";

    /// <summary>Restores made after the kernel drifted (VFs lost, a lease gained), for tests and "show system statistics".</summary>
    public long Restores { get; private set; }

    /// <summary>The desired network, read once from the tree and the board profile; what commit check judged is what is applied.</summary>
    public PreparedConfig Prepare(JsonObject next)
    {
        DesiredNetwork want;
        try { want = _reconciler.Check(next); }
        catch (NetworkConfigException e)
        {
            return PreparedConfig.Refused(e.Errors.Select(x => new ConfigError(x.Path, x.Message)).ToList(), e);
        }
        return PreparedConfig.Ready(ct => ApplyAsync(want, ct));
    }

    async Task ApplyAsync(DesiredNetwork want, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            // DHCP clients first: a lease kept from before a restart is then kept on the port, not removed and re-added.
            var starting = await SyncDhcpAsync(want);
            var result = await Task.Run(() => Reconcile(want), ct);
            Log.NetworkReconciled(_log, result.Applied.Count, result.NetlinkWrites, result.FileWrites);
            _applied = want;
            // New clients start once their port is up, so the first DISCOVER is not lost on a down link.
            foreach (var keeper in starting) keeper.Start();
        }
        finally { _gate.Release(); }
    }

    ReconcileResult Reconcile(DesiredNetwork want)
    {
        ReconcileResult result;
        lock (_host.VfOwnership) result = _reconciler.Reconcile(want);
        EnsureDefaultRoutes();
        return result;
    }

    /// <summary>Starts watching the kernel: link events for carrier alarms and for VFs lost behind our back.</summary>
    public void Start()
    {
        // The box routes between its LAN bridges and the WAN: IPv4 forwarding on in cped's network namespace.
        File.WriteAllText("/proc/sys/net/ipv4/ip_forward", "1");
        _monitor = NetlinkMonitor.Open();
        // The ports' link state as it is now, so the first change after start is already a change.
        IReadOnlyList<LinkInfo> links;
        _gate.Wait();
        try { links = _rtnl.Links(); }
        finally { _gate.Release(); }
        var carrier = links.Where(l => _profile.PortByNetdev(l.Name) is not null)
            .ToDictionary(l => _profile.PortByNetdev(l.Name)!.Name, l => l.AdminUp && l.Carrier, StringComparer.Ordinal);
        var known = links.Select(l => l.Index).ToHashSet();
        _watch = Task.Run(() => WatchAsync(carrier, known, _stop.Token));
        StartLldp(links);
    }

    async Task WatchAsync(Dictionary<string, bool> carrier, HashSet<int> known, CancellationToken ct)
    {
        try
        {
            await foreach (var e in _monitor!.Events.ReadAllAsync(ct))
            {
                switch (e)
                {
                    case NetlinkEvent.LinkChanged { Link: var link }:
                        if (_profile.PortByNetdev(link.Name) is FrontPort port) TrackCarrier(port, link, carrier);
                        // A PF's change, or a link never seen before (a VF coming back), may mean VFs need their settings again.
                        if (known.Add(link.Index) || IsSriovLink(link.Name)) ScheduleRestore();
                        break;
                    case NetlinkEvent.LinkRemoved { Name: var name, Index: var index }:
                        known.Remove(index);
                        if (IsSriovLink(name) || _profile.PortByNetdev(name) is not null) ScheduleRestore();
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    bool IsSriovLink(string name) =>
        _profile.PhysicalFunctions.Any(pf => name == pf || name.StartsWith(pf + "v", StringComparison.Ordinal));

    void TrackCarrier(FrontPort port, LinkInfo link, Dictionary<string, bool> carrier)
    {
        bool up = link.AdminUp && link.Carrier;
        if (carrier.TryGetValue(port.Name, out bool was) && was != up)
        {
            _events.Record(up ? "link-up" : "link-down", $"{port.Name} ({port.Netdev}): link {(up ? "up" : "down")}");
            if (up) _events.ClearAlarm($"link-down {port.Name}");
            else if (link.AdminUp) _events.RaiseAlarm($"link-down {port.Name}", "minor", $"{port.Name}: no carrier (cable or far end)");
        }
        carrier[port.Name] = up;
    }

    /// <summary>Coalesces a burst of events into one restore, 50 ms after the first.</summary>
    void ScheduleRestore()
    {
        if (Interlocked.Exchange(ref _resyncPending, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), _stop.Token);
                Interlocked.Exchange(ref _resyncPending, 0);
                await RestoreAsync();
            }
            catch (OperationCanceledException) { }
        });
    }

    /// <summary>Brings the kernel back to the applied configuration; a no-op (reads only) when nothing drifted.</summary>
    public async Task RestoreAsync()
    {
        await _gate.WaitAsync(_stop.Token);
        try
        {
            if (_applied is null) return;
            var result = Reconcile(_applied);
            if (result.Applied.Count == 0) return;
            Restores++;
            Log.NetworkRestored(_log, result.Applied.Count, string.Join("; ", result.Applied.Take(8)));
            _events.Record("network-resync", $"{result.Applied.Count} change(s) applied to match the configuration: {string.Join("; ", result.Applied.Take(4))}");
            _events.ClearAlarm("network-restore");
        }
        catch (Exception e) when (e is NetworkException or LinuxException)
        {
            Log.NetworkRestoreFailed(_log, e);
            _events.RaiseAlarm("network-restore", "major", $"the network could not be put back to the configuration: {e.Message}");
        }
        finally { _gate.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _monitor?.Dispose();
        _lldp?.Dispose();
        if (_watch is not null) await _watch;
        List<DhcpKeeper> keepers;
        lock (_dhcp) { keepers = [.. _dhcp.Values]; _dhcp.Clear(); }
        foreach (var k in keepers) await k.DisposeAsync();
        await _gate.WaitAsync();
    }
}
