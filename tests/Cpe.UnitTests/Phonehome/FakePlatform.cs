using System.Text.Json.Nodes;
using Cpe.Api;
using Cpe.Phonehome.Platform;

namespace Cpe.UnitTests.Phonehome;

/// <summary>A hand-written cped for the agent's unit tests: records every call, answers as told.</summary>
sealed class FakePlatform : IAgentPlatform
{
    public List<string> Calls { get; } = [];
    public List<ProvisionCommitParams> Commits { get; } = [];
    public Func<string, ScriptResult> Script { get; set; } = _ => new ScriptResult(0, false, "ok", 0.01);
    public Exception? CommitFailure { get; set; }
    public bool ConfirmAnswer { get; set; } = true;

    public Task<IReadOnlyList<DhcpClientInfo>> DhcpLeasesAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<DhcpClientInfo>>([]);

    public Task<CommitResult> CommitAsync(ProvisionCommitParams commit, CancellationToken ct)
    {
        Calls.Add($"commit {commit.Source} {commit.Mode}" + (commit.ConfirmMinutes is int m ? $" confirm {m}" : ""));
        if (CommitFailure is not null) throw CommitFailure;
        Commits.Add(commit);
        return Task.FromResult(new CommitResult(Commits.Count + 1, "commit complete", null));
    }

    public Task<bool> ConfirmAsync(CancellationToken ct)
    {
        Calls.Add("confirm");
        return Task.FromResult(ConfirmAnswer);
    }

    public Task<ScriptResult> RunScriptAsync(string phase, byte[] script, int timeoutSeconds, CancellationToken ct)
    {
        Calls.Add($"script {phase}");
        return Task.FromResult(Script(phase));
    }

    public Task StatusAsync(ZtpStatusParams status, CancellationToken ct)
    {
        Calls.Add(status.Failure is null ? $"status {status.State}" : $"status {status.State} ({status.Failure})");
        Statuses.Add(status);
        return Task.CompletedTask;
    }

    /// <summary>Every status reported, with its round's tries.</summary>
    public List<ZtpStatusParams> Statuses { get; } = [];

    /// <summary>Completes the agent's wait for a retry request: a technician typed "request system zero-touch retry".</summary>
    public TaskCompletionSource Retry { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task RetryRequestedAsync(CancellationToken ct) => await Retry.Task.WaitAsync(ct);

    public Task<System.Text.Json.Nodes.JsonObject?> HardwareAsync(CancellationToken ct) => Task.FromResult<System.Text.Json.Nodes.JsonObject?>(null);

    public string FirmwareVersion { get; set; } = "0.1.0";

    public Task<InventoryInfo> InventoryAsync(CancellationToken ct) =>
        Task.FromResult(new InventoryInfo("sim", FirmwareVersion, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 1, "system", null, []));

    /// <summary>What image.install answers (null: admitted), and the install states image.status then reports, one per call.</summary>
    public Func<string, RpcException?> Admission { get; set; } = _ => null;
    public Queue<InstallInfo> InstallStates { get; } = new();
    public FallbackInfo? LastFallback { get; set; }
    public bool HasSlots { get; set; } = true;
    public string Health { get; set; } = "good";
    InstallInfo? _install;

    public Task<SoftwareStatus?> SoftwareAsync(CancellationToken ct)
    {
        if (!HasSlots) return Task.FromResult<SoftwareStatus?>(null);
        if (InstallStates.TryDequeue(out var next)) _install = next;
        return Task.FromResult<SoftwareStatus?>(new SoftwareStatus("a", FirmwareVersion, FirmwareVersion, [], _install, LastFallback, Health));
    }

    public Task<OkResult> InstallFirmwareAsync(string location, string sha256, CancellationToken ct)
    {
        Calls.Add($"install {location} {sha256[..8]}");
        if (!HasSlots) throw new RpcException(RpcErrorCodes.MethodNotFound, "no such method: image.install");
        if (Admission(location) is RpcException refused) throw refused;
        return Task.FromResult(new OkResult(true, $"installing from {location}"));
    }

    public Task RebootAsync(string reason, CancellationToken ct)
    {
        Calls.Add($"reboot {reason}");
        return Task.CompletedTask;
    }

    /// <summary>The box's VNF packages ("NAME:VERSION") and instances (null: no VNF runtime); an added package joins <see cref="Packages"/>.</summary>
    public List<string>? Packages { get; set; }
    public List<Cpe.Sztp.VnfInstanceReport> Instances { get; } = [];
    /// <summary>What vnf.package.add answers for a URI (null: added).</summary>
    public Func<string, RpcException?> PackageAdmission { get; set; } = _ => null;

    public Task<Cpe.Sztp.VnfReport?> VnfsAsync(CancellationToken ct) =>
        Task.FromResult(Packages is null ? null : new Cpe.Sztp.VnfReport([.. Packages], [.. Instances], false));

    public Task AddVnfPackageAsync(string uri, string sha256, CancellationToken ct)
    {
        Calls.Add($"vnf add {uri}");
        if (PackageAdmission(uri) is RpcException refused) throw refused;
        Packages!.Add(uri[(uri.LastIndexOf('/', uri.LastIndexOf('/') - 1) + 1)..].Replace('/', ':'));
        return Task.CompletedTask;
    }

    public static InstallInfo Install(string state, int done = 0, string? error = null) =>
        new(state, "0.2.0", "b", done, 4, done * 100L, 0, error, "https://server/images/fw.cpeu");

    public static JsonObject Document => new() { ["schema-version"] = 1 };
}
