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

    public Task StatusAsync(string state, string message, string? failure, CancellationToken ct)
    {
        Calls.Add(failure is null ? $"status {state}" : $"status {state} ({failure})");
        return Task.CompletedTask;
    }

    public Task<System.Text.Json.Nodes.JsonObject?> HardwareAsync(CancellationToken ct) => Task.FromResult<System.Text.Json.Nodes.JsonObject?>(null);

    public Task<InventoryInfo> InventoryAsync(CancellationToken ct) =>
        Task.FromResult(new InventoryInfo("sim", "0.1.0", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 1, "system", null, []));

    public static JsonObject Document => new() { ["schema-version"] = 1 };
}
