using Cpe.Api;

namespace Cpe.Phonehome.Platform;

/// <summary>
/// cped over its local API, as the phonehome user. One connection, opened on first use and opened again after cped
/// restarts (the call in flight then fails once and the agent's retry takes over).
/// </summary>
public sealed class CpedPlatform(string socketPath) : IAgentPlatform, IAsyncDisposable
{
    readonly SemaphoreSlim _connect = new(1, 1);
    ApiClient? _client;

    async Task<T> CallAsync<T>(Func<ApiClient, Task<T>> call, CancellationToken ct)
    {
        var client = await ClientAsync(ct);
        try { return await call(client); }
        catch (Exception e) when (e is ApiConnectionLostException or IOException or ObjectDisposedException)
        {
            await DropAsync(client);
            throw new PlatformUnavailableException($"cped at {socketPath}: {e.Message}", e);
        }
    }

    async Task<ApiClient> ClientAsync(CancellationToken ct)
    {
        await _connect.WaitAsync(ct);
        try
        {
            if (_client is not null) return _client;
            try { return _client = await ApiClient.ConnectAsync(socketPath, "cpe-phonehome", ct); }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                throw new PlatformUnavailableException($"cped at {socketPath} does not answer: {e.Message}", e);
            }
        }
        finally { _connect.Release(); }
    }

    async Task DropAsync(ApiClient client)
    {
        await _connect.WaitAsync();
        try
        {
            if (ReferenceEquals(_client, client)) _client = null;
        }
        finally { _connect.Release(); }
        await client.DisposeAsync();
    }

    public async Task<IReadOnlyList<DhcpClientInfo>> DhcpLeasesAsync(CancellationToken ct) =>
        await CallAsync(c => c.DhcpClientsAsync(ct), ct);

    public Task<CommitResult> CommitAsync(ProvisionCommitParams commit, CancellationToken ct) =>
        CallAsync(c => c.ProvisionCommitAsync(commit, ct), ct);

    public async Task<bool> ConfirmAsync(CancellationToken ct) => (await CallAsync(c => c.ProvisionConfirmAsync(ct), ct)).Ok;

    public Task<ScriptResult> RunScriptAsync(string phase, byte[] script, int timeoutSeconds, CancellationToken ct) =>
        CallAsync(c => c.RunScriptAsync(new ScriptParams(phase, script, timeoutSeconds), ct), ct);

    public Task StatusAsync(ZtpStatusParams status, CancellationToken ct) =>
        CallAsync(c => c.ReportZtpAsync(status, ct), ct);

    /// <summary>
    /// Watches cped's events for a retry request. If cped cannot be reached or goes away meanwhile, no request can come:
    /// it waits until cancelled (the round's own wait ends it).
    /// </summary>
    public async Task RetryRequestedAsync(CancellationToken ct)
    {
        try
        {
            var client = await ClientAsync(ct);
            await foreach (var e in client.EventsAsync(ct))
                if (e.Type == ApiMethods.ZtpRetryEvent) return;
        }
        catch (Exception e) when (e is PlatformUnavailableException or ApiConnectionLostException or IOException or ObjectDisposedException) { }
        await Task.Delay(Timeout.Infinite, ct);
    }

    public Task<InventoryInfo> InventoryAsync(CancellationToken ct) => CallAsync(c => c.InventoryAsync(ct), ct);

    public Task<System.Text.Json.Nodes.JsonObject?> HardwareAsync(CancellationToken ct) => CallAsync(async c =>
    {
        try { return System.Text.Json.JsonSerializer.SerializeToNode(await c.HardwareAsync(ct), ApiJsonContext.Default.Hardware)?.AsObject(); }
        catch (RpcException e) when (e.Code == RpcErrorCodes.MethodNotFound) { return null; }   // cped runs without a board profile
    }, ct);

    public Task<SoftwareStatus?> SoftwareAsync(CancellationToken ct) => CallAsync(async c =>
    {
        try { return (SoftwareStatus?)await c.SoftwareStatusAsync(ct); }
        catch (RpcException e) when (e.Code == RpcErrorCodes.MethodNotFound) { return null; }   // no A/B slots (the simulated board)
    }, ct);

    public Task<OkResult> InstallFirmwareAsync(string location, string sha256, CancellationToken ct) =>
        CallAsync(c => c.InstallSoftwareAsync(location, reboot: false, ct, sha256), ct);

    public Task RebootAsync(string reason, CancellationToken ct) => CallAsync(c => c.PowerAsync("reboot", ct, reason), ct);

    public Task<Cpe.Sztp.VnfReport?> VnfsAsync(CancellationToken ct) => CallAsync(async c =>
    {
        try
        {
            var packages = await c.VnfPackagesAsync(ct);
            var instances = await c.VnfsAsync(ct: ct);
            var chains = await c.ChainsAsync(ct);
            return (Cpe.Sztp.VnfReport?)new Cpe.Sztp.VnfReport([.. packages.Select(p => Cpe.Sztp.VnfPackageReference.Of(p.Name, p.Version))],
                [.. instances.Select(i => new Cpe.Sztp.VnfInstanceReport(i.Instance, i.Vnf, i.Package, i.State))], false)
            { Chains = [.. chains.Select(Chain)] };
        }
        catch (RpcException e) when (e.Code == RpcErrorCodes.MethodNotFound) { return null; }   // cped runs without a board profile: no VNFs
    }, ct);

    /// <summary>A chain passes traffic when no hop is bypassed (a hop is when none of its replicas runs).</summary>
    static Cpe.Sztp.ChainReport Chain(ChainInfo c) => c.Hops.FirstOrDefault(h => h.Bypassed) is { } hop
        ? new(c.Name, false, $"hop {hop.Vnf} has no running replica ({c.Bypass}: {(c.Bypass == "fail-open" ? "traffic bypasses it" : "traffic is dropped")})")
        : new(c.Name, true, null);

    public Task AddVnfPackageAsync(string uri, string sha256, CancellationToken ct) => CallAsync(c => c.VnfPackageAddAsync(uri, ct, sha256), ct);

    public async ValueTask DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync();
    }
}

/// <summary>cped could not be reached; the agent waits and tries again.</summary>
public sealed class PlatformUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
