using System.Globalization;
using System.Text.Json.Nodes;
using Cpe.Board.Profile;
using Cpe.Config;
using Cpe.Config.Schema;
using Cpe.Interop;
using Cpe.Netlink;
using Cpe.Netlink.NfTables;
using Cpe.Network;
using Cpe.Platform.Configuration;
using Cpe.Platform.Events;
using Cpe.Vnf.Chains;
using Cpe.Vnf.Packages;
using Cpe.Vnf.Placement;
using Cpe.Vnf.Runtime;
using Cpe.Vnf.Store;
using Cpe.Vnf.Supervision;
using Microsoft.Extensions.Logging;

namespace Cpe.Platform.Vnf;

/// <summary>Where cped keeps and runs VNFs, and under which names (docs/reference/cped.md).</summary>
public sealed record VnfHostOptions(string StateDirectory, string Runtime, IReadOnlyList<int> VnfCores,
    string CgroupRoot = "/sys/fs/cgroup", string CgroupParent = "/cpe/vnf", string NetnsPrefix = "vnf-", long StoreQuotaBytes = 2L << 30);

/// <summary>One configured instance as applied: its VNF, image (record and config), descriptor, interfaces and bundle.</summary>
sealed record AppliedInstance(string Instance, VnfSpec Spec, ImageRecord Image, OciImageConfig Config, VnfDescriptor Descriptor, double Cpus,
    long MemoryBytes, IReadOnlyList<WiredInterface> Interfaces, string Bundle)
{
    /// <summary>The interface facing a chain's ingress side; a chain hop has one (commit check makes sure).</summary>
    public WiredInterface In => Interfaces.First(i => i.Role == InterfaceRole.Ingress);

    /// <summary>The interface facing a chain's egress port.</summary>
    public WiredInterface Out => Interfaces.First(i => i.Role == InterfaceRole.Egress);
}

/// <summary>
/// VNFs and service chains as a subsystem of the config engine (docs/reference/vnf-configuration.md): admission control
/// at commit check; on commit, each instance's namespace and veth pairs, its bundle on an overlay of its image, its
/// supervision; then the chains' steering as one nftables table, rebuilt when a VNF stops or starts running so that
/// the bypass policy holds. Nothing here stops a VNF when cped stops: the next cped adopts them.
/// </summary>
public sealed partial class VnfSubsystem : IReconciler, IAsyncDisposable
{
    readonly VnfHostOptions _options;
    readonly NetworkProfile _profile;
    readonly PlatformEvents _events;
    readonly ILogger _log;
    readonly TimeProvider _clock;
    readonly ImageStore _store;
    readonly VnfSupervisor _supervisor;
    readonly RouteNetlink _rtnl;
    NfTables? _nft;
    readonly InstanceWiring _wiring;
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly CancellationTokenSource _stop = new();
    Dictionary<string, AppliedInstance> _applied = new(StringComparer.Ordinal);
    IReadOnlyList<ChainSpec> _chains = [];
    string? _steering;
    int _steeringPending;

    /// <param name="host">cped's namespace as the subsystems share it, with the board's VFs; the composition root owns it.</param>
    public VnfSubsystem(VnfHostOptions options, NetworkProfile profile, HostNetwork host, PlatformEvents events, ILogger log, TimeProvider clock)
    {
        _options = options;
        _profile = profile;
        _events = events;
        _log = log;
        _clock = clock;
        string root = Path.Combine(options.StateDirectory, "vnf");
        _store = new ImageStore(Path.Combine(root, "store"), options.StoreQuotaBytes);
        _supervisor = new VnfSupervisor(SupervisorOptions.Defaults(options.Runtime, Path.Combine(root, "run"), options.CgroupRoot), OnVnfEvent);
        _rtnl = host.Rtnl;
        _wiring = new InstanceWiring(host, options.NetnsPrefix, profile.PhysicalFunctions);
    }

    public string Subsystem => "vnf";

    string BundleRoot => Path.Combine(_options.StateDirectory, "vnf", "bundles");

    /// <summary>
    /// The VNF plan, read once from the tree, with what the box must allow (packages in the store, chain ports, VFs,
    /// admission), checked only for a commit: a restore or the start applies the plan even where admission would now
    /// refuse it (the instances it starts already hold what they were admitted with), and reads no store or disk for it.
    /// </summary>
    public PreparedConfig Prepare(JsonObject next)
    {
        var plan = VnfPlan.From(next);
        return PreparedConfig.Ready(ct => ApplyAsync(plan, ct), () => Check(plan, next));
    }

    List<ConfigError> Check(VnfPlan plan, JsonObject next)
    {
        var errors = plan.Conflicts().ToList();
        foreach (var c in plan.Chains)
        {
            if (_profile.Port(c.Ingress) is null) errors.Add(new ConfigError($"chains chain {c.Name} ingress", $"the board has no port {c.Ingress}"));
            if (_profile.Port(c.Egress) is null) errors.Add(new ConfigError($"chains chain {c.Name} egress", $"the board has no port {c.Egress}"));
        }
        var descriptors = new Dictionary<string, VnfDescriptor>(StringComparer.Ordinal);
        foreach (var v in plan.Vnfs)
        {
            string path = $"vnfs vnf {v.Name}";
            if (_store.Resolve(v.Package) is not { } image)
            {
                errors.Add(new ConfigError($"{path} package", $"'{v.Package}' is not in the image store; add it with \"request vnf package add FILE|URL\""));
                continue;
            }
            var descriptor = descriptors[v.Name] = VnfDescriptor.FromLabels(_store.ImageConfig(image).Config?.Labels);
            if (plan.Chains.Any(c => c.Hops.Contains(v.Name))
                && !(descriptor.Interfaces.Any(i => i.Role == InterfaceRole.Ingress) && descriptor.Interfaces.Any(i => i.Role == InterfaceRole.Egress)))
                errors.Add(new ConfigError(path, $"{image.Reference} has no ingress and egress interfaces, so it cannot be a chain hop"));
        }
        var vfs = new VfPlacement(plan, descriptors, _profile);
        errors.AddRange(vfs.Errors);
        var admitted = plan.Vnfs.Where(v => descriptors.ContainsKey(v.Name)).Select(v => (Spec: v, Descriptor: descriptors[v.Name]))
            .Select(v => new AdmittedVnf(v.Spec, v.Descriptor, v.Spec.Cpus ?? v.Descriptor.Cpus, v.Spec.MemoryBytes ?? v.Descriptor.MemoryBytes, vfs.PfsOf(v.Spec.Name))).ToList();
        errors.AddRange(VnfAdmission.Check(admitted, Resources(next)));
        return errors;
    }

    VnfResources Resources(JsonObject next)
    {
        // The VFs the configuration creates (sriov pf N vf-count) are what VNFs can be given.
        var vfs = NetworkSchema.Pf.List.Entries(NetworkSchema.Sriov.In(next)).ToDictionary(
            ListNode.Key, pf => (int)NetworkSchema.Pf.VfCount.Integer(pf)!.Value, StringComparer.Ordinal);
        long total = File.ReadLines("/proc/meminfo").Where(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024).First();
        Directory.CreateDirectory(_options.StateDirectory);
        long disk = new DriveInfo(Path.GetFullPath(_options.StateDirectory)).AvailableFreeSpace;
        return new VnfResources(_options.VnfCores, Math.Max(0, total - VnfResources.PlatformMemory), disk, vfs);
    }

    async Task ApplyAsync(VnfPlan plan, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var wanted = new Dictionary<string, AppliedInstance>(StringComparer.Ordinal);
            var images = plan.Vnfs.ToDictionary(v => v.Name, v => _store.Resolve(v.Package) ?? throw new VnfWiringException($"{v.Name}: package {v.Package} is not in the image store"));
            var configs = images.ToDictionary(i => i.Key, i => _store.ImageConfig(i.Value));
            var descriptors = configs.ToDictionary(c => c.Key, c => VnfDescriptor.FromLabels(c.Value.Config?.Labels));
            var vfs = new VfPlacement(plan, descriptors, _profile);
            foreach (var v in plan.Vnfs)
            {
                var d = descriptors[v.Name];
                foreach (var instance in v.Instances)
                    wanted[instance] = new AppliedInstance(instance, v, images[v.Name], configs[v.Name], d, v.Cpus ?? d.Cpus, v.MemoryBytes ?? d.MemoryBytes,
                        _wiring.Interfaces(instance, d, i => vfs.PfOf(v.Name, i.Name)), Path.Combine(BundleRoot, instance));
            }
            foreach (var gone in KnownInstances().Where(i => !wanted.ContainsKey(i)).ToList()) await RemoveAsync(gone);
            foreach (var a in wanted.Values.ToList()) wanted[a.Instance] = await ApplyInstanceAsync(a);
            _applied = wanted;
            _chains = plan.Chains;
            // A frame a chain port's GRO merged would reach a VNF larger than the wire allows.
            foreach (var port in plan.Chains.SelectMany(c => new[] { c.Ingress, c.Egress }).Distinct())
                if (_profile.Port(port)?.Netdev is string netdev) Ethtool.Set(netdev, Ethtool.ETHTOOL_SGRO, false);
            await WaitForLaunchesAsync(ct);
            Steer();
        }
        finally { _gate.Release(); }
    }

    /// <summary>Instances with a bundle on disk: those applied before, also by an earlier cped.</summary>
    IEnumerable<string> KnownInstances() =>
        Directory.Exists(BundleRoot) ? Directory.EnumerateDirectories(BundleRoot).Select(Path.GetFileName).OfType<string>() : [];

    /// <summary>Brings one instance to its configuration; returns it with its interfaces as wired (VFs known once lent).</summary>
    async Task<AppliedInstance> ApplyInstanceAsync(AppliedInstance a)
    {
        var placement = new InstancePlacement(a.Instance, _wiring.NamespacePath(a.Instance), string.Join(",", _options.VnfCores) is { Length: > 0 } cores ? cores : null,
            File.Exists(Path.Combine(_options.CgroupRoot, "cgroup.controllers")), _options.CgroupParent);
        var descriptor = a.Descriptor with { Cpus = a.Cpus, MemoryBytes = a.MemoryBytes };
        var spec = BundleWriter.Spec(a.Config, descriptor, placement);
        spec = spec with { Process = spec.Process with { Env = [.. spec.Process.Env, .. a.Spec.Environment] } };
        string configFile = Path.Combine(a.Bundle, "config.json");
        byte[]? before = File.Exists(configFile) ? File.ReadAllBytes(configFile) : null;
        string lowerFile = Path.Combine(a.Bundle, "image");
        string? lowerBefore = File.Exists(lowerFile) ? File.ReadAllText(lowerFile) : null;
        bool changed = lowerBefore != a.Image.ManifestDigest;
        if (changed || before is null || !before.AsSpan().SequenceEqual(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(spec, RuntimeSpecJson.Default.RuntimeSpec)))
        {
            // A changed instance stops, gets its new bundle (and image), and starts again.
            if (before is not null) await _supervisor.StopAsync(a.Instance);
            if (changed)
            {
                InstanceRootFs.Unmount(a.Bundle);
                if (lowerBefore is not null) _store.Release(lowerBefore, a.Instance);
                _store.Hold(a.Image.ManifestDigest, a.Instance);
                Directory.CreateDirectory(a.Bundle);
                File.WriteAllText(lowerFile + ".tmp", a.Image.ManifestDigest);
                File.Move(lowerFile + ".tmp", lowerFile, overwrite: true);
            }
            BundleWriter.Write(a.Bundle, spec);
            Log.VnfBundleWritten(_log, a.Instance, a.Image.Reference);
        }
        a = a with { Interfaces = _wiring.Wire(a.Instance, a.Interfaces) };
        InstanceRootFs.Mount(a.Bundle, _store.RootFsPath(a.Image.ManifestDigest));
        if (a.Spec.Up) await _supervisor.StartAsync(new VnfLaunch(a.Instance, a.Bundle, a.Descriptor.Restart, a.Descriptor.Health, _wiring.NamespacePath(a.Instance)));
        else await _supervisor.StopAsync(a.Instance);
        return a;
    }

    async Task RemoveAsync(string instance)
    {
        string bundle = Path.Combine(BundleRoot, instance);
        if (_supervisor.Status().Any(s => s.Instance == instance)) await _supervisor.StopAsync(instance);
        else if (File.Exists(Path.Combine(bundle, "config.json")))
        {
            // Not supervised (a previous cped left it, or it was stopped): whatever still runs in its cgroup goes.
            var cgroup = new Cgroup(_options.CgroupRoot, BundleWriter.Read(bundle).Linux.CgroupsPath);
            if (cgroup.Exists) await cgroup.KillAllAsync(TimeSpan.FromSeconds(10));
        }
        InstanceRootFs.Unmount(bundle);
        _wiring.Unwire(instance);
        string lowerFile = Path.Combine(bundle, "image");
        if (File.Exists(lowerFile)) _store.Release(File.ReadAllText(lowerFile), instance);
        Directory.Delete(bundle, recursive: true);
        string run = Path.Combine(_options.StateDirectory, "vnf", "run", instance);
        if (Directory.Exists(run)) Directory.Delete(run, recursive: true);
        Log.VnfRemoved(_log, instance);
        _events.Record("vnf-removed", $"{instance}: removed from the configuration");
    }

    /// <summary>Gives new and adopted instances a moment to be running, so that the first steering sends traffic to them.</summary>
    async Task WaitForLaunchesAsync(CancellationToken ct)
    {
        var until = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < until && _supervisor.Status().Any(s => s.State is VnfState.Starting or VnfState.Installing && s.Restarts == 0))
            await Task.Delay(20, ct);
    }

    void OnVnfEvent(VnfEvent e)
    {
        switch (e.Kind)
        {
            case "crash-loop":
                _events.RaiseAlarm($"vnf-crash-loop {e.Instance}", "major", e.Text);
                break;
            case "recovered" or "running":
                _events.ClearAlarm($"vnf-crash-loop {e.Instance}");
                break;
        }
        if (e.Kind is not "starting") _events.Record("vnf-" + e.Kind, e.Text);
        Log.VnfEvent(_log, e.Text);
        ScheduleSteering();
    }

    /// <summary>Coalesces a burst of VNF events into one steering rebuild, 20 ms after the first.</summary>
    void ScheduleSteering()
    {
        if (Interlocked.Exchange(ref _steeringPending, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(20, _stop.Token);
                Interlocked.Exchange(ref _steeringPending, 0);
                await _gate.WaitAsync(_stop.Token);
                try { Steer(); }
                finally { _gate.Release(); }
            }
            catch (OperationCanceledException) { }
        });
    }

    /// <summary>Puts the chains' table in the kernel when it differs from what was put last.</summary>
    void Steer()
    {
        try
        {
            var chains = _chains.Select(BuildChain).ToList();
            var table = ChainSteering.Build(chains);
            string text = Describe(table);
            if (text == _steering) return;
            // Chains whose every side is a VF need no table, nor nf_tables at all.
            if (table.Chains.Count == 0) OpenNfTables()?.Delete(ChainSteering.Table);
            else (OpenNfTables() ?? throw new VnfWiringException("the kernel has no nf_tables (NETLINK_NETFILTER), which service chains need")).Replace(table);
            _steering = text;
            _events.ClearAlarm("chain-steering");
            Log.ChainsSteered(_log, chains.Count, table.Chains.Sum(c => c.Rules.Count));
        }
        catch (Exception e) when (e is LinuxException or VnfWiringException)
        {
            Log.ChainSteeringFailed(_log, e);
            _events.RaiseAlarm("chain-steering", "major", $"service chains could not be steered: {e.Message}");
        }
    }

    /// <summary>Our nf_tables socket, opened on first use; null on a kernel without nf_tables, where no table can exist either.</summary>
    NfTables? OpenNfTables()
    {
        try { return _nft ??= NfTables.Open(); }
        catch (LinuxException e) when (e.Errno == NetlinkException.EPROTONOSUPPORT) { return null; }   // socket(NETLINK_NETFILTER) refused
    }

    static string Describe(NftTable table) => string.Join("\n", table.Chains.Select(c =>
        $"{c.Name}@{c.IngressDevice}: " + string.Join(" | ", c.Rules.Select(r => string.Join(",", r.Expressions.Select(x => x.ToString()))))));

    HashSet<string> RunningInstances() =>
        _supervisor.Status().Where(s => s.State is VnfState.Running or VnfState.Unhealthy).Select(s => s.Instance).ToHashSet(StringComparer.Ordinal);

    /// <summary>A VNF's applied instances, in replica order: a chain hop's replicas, bucket by bucket.</summary>
    IEnumerable<AppliedInstance> Replicas(string vnf) =>
        _applied.Values.Where(a => a.Spec.Name == vnf).OrderBy(a => a.Instance, StringComparer.Ordinal);

    ServiceChain BuildChain(ChainSpec c)
    {
        var running = RunningInstances();
        // A VF side has no host device: the steering leaves that side to the NIC.
        int Index(string? device) => device is null ? 0 : _rtnl.Link(device)?.Index ?? throw new VnfWiringException($"chain {c.Name}: device {device} is missing");
        string Netdev(string port) => _profile.Port(port)?.Netdev ?? throw new VnfWiringException($"chain {c.Name}: the board has no port {port}");
        var hops = c.Hops.Select(vnf => new ChainHop(vnf, Replicas(vnf).Select(a =>
            new HopReplica(a.Instance, a.In.HostDevice ?? "", Index(a.In.HostDevice), a.Out.HostDevice ?? "", Index(a.Out.HostDevice), a.Out.Mac, running.Contains(a.Instance))).ToList())).ToList();
        string ingress = Netdev(c.Ingress), egress = Netdev(c.Egress);
        return new ServiceChain(c.Name, ingress, Index(ingress), egress, Index(egress), c.Classifier, hops, c.Bypass,
            IngressByNic: Replicas(c.Hops[0]).Any(a => a.In.IsVf), EgressByNic: Replicas(c.Hops[^1]).Any(a => a.Out.IsVf));
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _supervisor.DisposeAsync();
        await _gate.WaitAsync();
        _nft?.Dispose();
        _store.Dispose();
    }
}
