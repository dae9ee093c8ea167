using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Cpe.Api;
using Cpe.Netlink;
using Cpe.Platform.Api;
using Cpe.Vnf;
using Cpe.Vnf.Packages;
using Cpe.Vnf.Placement;
using Cpe.Vnf.Runtime;
using Cpe.Vnf.Store;
using Cpe.Vnf.Supervision;

namespace Cpe.Platform.Vnf;

// The vnf.* and chain.* API methods: what "show vnf", "show vnf package", "show chain" and the "request vnf" commands use.
public sealed partial class VnfSubsystem
{
    /// <summary>Package signers are trusted when they chain to one of these: the vendor CA, and owner anchors placed here.</summary>
    public IReadOnlyList<string> TrustFiles { get; init; } = [];

    /// <summary>The client certificate a download from the vendor server presents (the box's IDevID), or null.</summary>
    public Func<X509Certificate2?> ClientCertificate { get; init; } = () => null;

    public void AddMethods(MethodTable t)
    {
        var j = ApiJsonContext.Default;
        // The phone-home agent reports the VNFs and packages at each fleet check-in, and adds the packages the fleet wants.
        t.Add(ApiMethods.VnfList, Access.Provisioning, j.VnfNameParams, j.VnfInstanceInfoArray, (_, p, _) => Task.FromResult(Instances(p.Name)));
        t.Add(ApiMethods.VnfLog, Access.Read, j.VnfLogParams, j.VnfLogInfoArray, (_, p, _) => Task.FromResult(Logs(p.Name, p.Lines)));
        t.Add(ApiMethods.VnfStart, Access.Configure, j.VnfNameParams, j.OkResult, (_, p, _) => OnEachAsync(p.Name, StartAsync));
        t.Add(ApiMethods.VnfStop, Access.Configure, j.VnfNameParams, j.OkResult, (_, p, _) => OnEachAsync(p.Name, _supervisor.StopAsync));
        t.Add(ApiMethods.VnfRestart, Access.Configure, j.VnfNameParams, j.OkResult, (_, p, _) => OnEachAsync(p.Name, RestartAsync));
        t.Add(ApiMethods.VnfPackageAdd, Access.Provision, j.VnfPackageAddParams, j.VnfPackageInfo, (session, p, ct) =>
            // The agent runs unprivileged: it may not have cped (root) open files on the box for it, only download.
            session.Role == Role.Phonehome && !IsDownload(p.Source)
                ? throw new RpcException(RpcErrorCodes.PermissionDenied, "the phone-home agent adds packages from http(s) URLs only")
                : AddPackageAsync(p.Source, p.Sha256, ct));
        t.Add(ApiMethods.VnfPackageList, Access.Provisioning, j.Empty, j.VnfPackageInfoArray, (_, _, _) => Task.FromResult(Packages()));
        t.Add(ApiMethods.VnfPackageDelete, Access.Configure, j.VnfPackageDeleteParams, j.OkResult, (_, p, _) => Task.FromResult(DeletePackage(p.Reference)));
        t.Add(ApiMethods.ChainList, Access.Provisioning, j.Empty, j.ChainInfoArray, (_, _, _) => Task.FromResult(Chains()));
    }

    /// <summary>The instances a name means: one instance ("fw-1"), or every replica of a VNF ("fw").</summary>
    List<AppliedInstance> Named(string? name)
    {
        var all = _applied.Values.OrderBy(a => a.Instance, StringComparer.Ordinal).ToList();
        if (name is null) return all;
        var found = all.Where(a => a.Instance == name || a.Spec.Name == name).ToList();
        return found.Count > 0 ? found : throw new RpcException(RpcErrorCodes.InvalidParams, $"no VNF {name} is configured");
    }

    /// <summary>The network namespace of one instance ("fw-1"), or of a VNF's only replica ("fw"): where a probe from inside it starts.</summary>
    public string NamespaceOf(string name)
    {
        var instances = Named(name);
        if (instances.Count > 1)
            throw new RpcException(RpcErrorCodes.InvalidParams, $"{name} has {instances.Count} replicas; name one of {string.Join(", ", instances.Select(a => a.Instance))}");
        return _wiring.NamespacePath(instances[0].Instance);
    }

    VnfInstanceInfo[] Instances(string? name)
    {
        var status = _supervisor.Status().ToDictionary(s => s.Instance, StringComparer.Ordinal);
        return Named(name).Select(a =>
        {
            var s = status.GetValueOrDefault(a.Instance);
            return new VnfInstanceInfo(a.Instance, a.Spec.Name, a.Image.Reference, (s?.State ?? VnfState.Stopped).ToString().ToLowerInvariant(),
                s?.Pid, s?.Restarts ?? 0, s?.LastExit?.ToString(), s?.Since ?? _clock.GetUtcNow(), s?.Message, a.Cpus, a.MemoryBytes, a.Descriptor.Pids,
                s?.Usage?.Cpu.TotalSeconds, s?.Usage?.MemoryBytes, s?.Usage?.Processes, _wiring.NamespacePath(a.Instance),
                a.Interfaces.Select(i => new VnfInterfaceInfo(i.Name, i.Role.ToString().ToLowerInvariant(), i.HostDevice, i.MacText,
                    i.IsVf ? $"{i.Pf} vf {(i.Vf is int n ? n.ToString(CultureInfo.InvariantCulture) : "?")}" : null)).ToList());
        }).ToArray();
    }

    VnfLogInfo[] Logs(string name, int lines) =>
        Named(name).Select(a => new VnfLogInfo(a.Instance, _supervisor.LogFile(a.Instance) is string file
            ? Logging.LogTail.Last(Math.Clamp(lines, 1, 10_000), file) : [])).ToArray();

    async Task<OkResult> OnEachAsync(string? name, Func<string, Task> action)
    {
        if (name is null) throw new RpcException(RpcErrorCodes.InvalidParams, "name a VNF or an instance");
        foreach (var a in Named(name)) await action(a.Instance);
        return new OkResult(true);
    }

    Task StartAsync(string instance)
    {
        var a = _applied[instance];
        return _supervisor.StartAsync(new VnfLaunch(a.Instance, a.Bundle, a.Descriptor.Restart, a.Descriptor.Health, _wiring.NamespacePath(a.Instance)));
    }

    /// <summary>Restarts a running instance, or starts a stopped one (a failed one comes out of its crash loop this way).</summary>
    async Task RestartAsync(string instance)
    {
        if (_supervisor.Status().Any(s => s.Instance == instance)) await _supervisor.RestartAsync(instance);
        else await StartAsync(instance);
    }

    /// <summary>
    /// Adds a package from a file or a URL. A download is bounded by the store's free space and presents the box's
    /// IDevID; with <paramref name="sha256"/> (the fleet names the package it wants) any other file is refused before it
    /// is opened. Refusals are InvalidParams; a download that failed (and may work later) is DownloadFailed.
    /// </summary>
    async Task<VnfPackageInfo> AddPackageAsync(string source, string? sha256, CancellationToken ct)
    {
        string file = source;
        string? download = null;
        try
        {
            if (IsDownload(source))
            {
                var uri = new Uri(source);
                download = Path.Combine(_options.StateDirectory, "vnf", $"download-{Guid.NewGuid():N}.tar");
                await DownloadAsync(uri, download, Math.Max(0, _store.QuotaBytes - _store.UsedBytes), ClientCertificate(), ct);
                file = download;
            }
            else if (!File.Exists(source)) throw new RpcException(RpcErrorCodes.InvalidParams, $"{source}: no such file");
            if (sha256 is not null && await Sha256Async(file, ct) is var actual && !actual.Equals(sha256, StringComparison.OrdinalIgnoreCase))
                throw new RpcException(RpcErrorCodes.InvalidParams, $"{source} is not the package asked for: its SHA-256 is {actual}, not {sha256}");
            var anchors = TrustFiles.Where(File.Exists).SelectMany(f => { var c = new X509Certificate2Collection(); c.ImportFromPemFile(f); return c; }).ToList();
            if (anchors.Count == 0) throw new RpcException(RpcErrorCodes.InvalidParams, "no trust anchor for VNF packages on this box (vendor CA or owner certificate)");
            ImageRecord image;
            await _gate.WaitAsync(ct);
            try
            {
                using var package = VnfPackage.Open(file, anchors);
                image = _store.Add(package, _clock.GetUtcNow());
            }
            catch (VnfException e)
            {
                throw new RpcException(RpcErrorCodes.InvalidParams, e.Message);
            }
            finally { _gate.Release(); }
            Log.VnfPackageAdded(_log, image.Reference, image.ManifestDigest, image.Signer);
            _events.Record("vnf-package-added", $"{image.Reference} added ({image.ManifestDigest}, signed by {image.Signer})");
            return Info(image);
        }
        finally
        {
            if (download is not null) File.Delete(download);
        }
    }

    static bool IsDownload(string source) => Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    static async Task DownloadAsync(Uri uri, string path, long maxBytes, X509Certificate2? clientCertificate, CancellationToken ct)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30) };
        if (clientCertificate is not null) handler.SslOptions.ClientCertificates = new X509CertificateCollection { clientCertificate };
        // Whoever serves it, the package is checked by its signature (and the fleet's SHA-256) before it is used.
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(10) };
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode) throw new RpcException(RpcErrorCodes.DownloadFailed, $"{uri}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            if (response.Content.Headers.ContentLength > maxBytes) throw TooLarge(uri, maxBytes);
            await using var output = File.Create(path);
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[1 << 16];
            long total = 0;
            for (int n; (n = await body.ReadAsync(buffer, ct)) > 0;)
            {
                if ((total += n) > maxBytes) throw TooLarge(uri, maxBytes);
                await output.WriteAsync(buffer.AsMemory(0, n), ct);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            throw new RpcException(RpcErrorCodes.DownloadFailed, $"{uri}: {e.Message}");
        }
    }

    static RpcException TooLarge(Uri uri, long maxBytes) =>
        new(RpcErrorCodes.InvalidParams, $"{uri} is larger than the {maxBytes} bytes the VNF image store has free");

    static async Task<string> Sha256Async(string file, CancellationToken ct)
    {
        await using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, ct));
    }

    static VnfPackageInfo Info(ImageRecord i) =>
        new(i.Name, i.Version, i.ManifestDigest, i.Signer, i.AddedAt, i.BlobBytes, i.RootFsBytes, i.Holders);

    VnfPackageInfo[] Packages() => _store.Images().OrderBy(i => i.Name, StringComparer.Ordinal).ThenBy(i => i.AddedAt).Select(Info).ToArray();

    OkResult DeletePackage(string reference)
    {
        _gate.Wait();
        try
        {
            _store.Delete(reference);
            _store.CollectGarbage();
        }
        catch (ImageStoreException e) { throw new RpcException(RpcErrorCodes.InvalidParams, e.Message); }
        finally { _gate.Release(); }
        _events.Record("vnf-package-deleted", $"{reference} deleted from the image store");
        return new OkResult(true);
    }

    ChainInfo[] Chains()
    {
        _gate.Wait();
        try
        {
            var links = _rtnl.Links().ToDictionary(l => l.Name, StringComparer.Ordinal);
            var status = _supervisor.Status().ToDictionary(s => s.Instance, StringComparer.Ordinal);
            var running = RunningInstances();
            // Packets into and out of the VNF through one interface: the host end of a veth pair transmits what goes
            // in and receives what comes out; a VF is counted inside the VNF's namespace, the other way round.
            (long Into, long OutOf) Packets(AppliedInstance a, WiredInterface w)
            {
                if (w.HostDevice is { } host)
                    return links.TryGetValue(host, out var l) ? ((long)(l.Statistics?.TxPackets ?? 0), (long)(l.Statistics?.RxPackets ?? 0)) : (0, 0);
                try
                {
                    using var inside = RouteNetlink.OpenIn(_wiring.NamespacePath(a.Instance));
                    var s = inside.Link(w.Name)?.Statistics;
                    return ((long)(s?.RxPackets ?? 0), (long)(s?.TxPackets ?? 0));
                }
                catch (IOException) { return (0, 0); }   // the namespace or the link is gone (a LinuxException is an IOException)
            }
            return _chains.Select(c => new ChainInfo(c.Name, c.Ingress, c.Egress, c.Bypass == Cpe.Vnf.Chains.BypassPolicy.FailOpen ? "fail-open" : "fail-closed", c.MatchText,
                c.Hops.Select(vnf =>
                {
                    var replicas = Replicas(vnf).Select(a => (a, In: Packets(a, a.In), Out: Packets(a, a.Out))).Select(r => new ChainReplicaInfo(r.a.Instance,
                        (status.GetValueOrDefault(r.a.Instance)?.State ?? VnfState.Stopped).ToString().ToLowerInvariant(),
                        r.In.Into, r.Out.OutOf, r.Out.Into, r.In.OutOf)).ToList();
                    return new ChainHopInfo(vnf, !replicas.Any(r => running.Contains(r.Instance)), replicas);
                }).ToList())).ToArray();
        }
        finally { _gate.Release(); }
    }
}
