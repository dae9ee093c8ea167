using System.Text.Json.Nodes;
using Cpe.Config;
using Cpe.Platform.Events;
using Cpe.Platform.State;
using ConfigSources = Cpe.Platform.State.ConfigSources;
using Microsoft.Extensions.Logging;

namespace Cpe.Platform.Configuration;

/// <summary>
/// Candidate, commit, commit confirmed and rollback (DESIGN.md §5.2). One shared candidate kept in
/// the store; every change to it and every commit goes through one gate, so commits are serialized.
/// </summary>
public sealed partial class ConfigEngine : IAsyncDisposable
{
    readonly StateStore _store;
    readonly PlatformEvents _events;
    readonly IReadOnlyList<IReconciler> _reconcilers;
    readonly TimeProvider _clock;
    readonly ILogger _log;
    readonly string _stateDirectory;
    // _gate serializes every change to the candidate and every commit; _editors (also used as a
    // lock) guards the small state that read-only callers look at without waiting for a commit.
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly Dictionary<int, Editor> _editors = [];
    JsonObject _candidate = [];
    // The revision the candidate was started from: the active one while the candidate is clean.
    long _candidateBase;
    int? _exclusiveOwner;
    readonly string? _wanPort;
    bool _stopping;

    public ConfigEngine(StateStore store, PlatformEvents events, IEnumerable<IReconciler> reconcilers,
        TimeProvider clock, ILogger<ConfigEngine> log, string stateDirectory, string? wanPort = null)
    {
        _wanPort = wanPort;
        _store = store;
        _events = events;
        _reconcilers = reconcilers.ToList();
        _clock = clock;
        _log = log;
        _stateDirectory = stateDirectory;
    }

    /// <summary>The committed configuration in force (factory default on a blank box).</summary>
    public JsonObject Active() => ParseRevision(_store.Active());

    /// <summary>
    /// Start-up: load the candidate, bring every subsystem to the active revision, and resume the
    /// countdown of a commit confirmed that was pending when the daemon stopped.
    /// </summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var activeRevision = _store.Active();
            if (activeRevision is null)
            {
                // A blank box: the factory default becomes the first revision, so "rollback 1" after the
                // first commit brings it back, and the history starts where the box's life did.
                activeRevision = _store.AddRevision(ConfigDocument.Serialize(ConfigDocument.FactoryDefault(_wanPort)), "system",
                    ConfigSources.System, "factory default", null, null);
                LastGoodBackup.Write(_stateDirectory, activeRevision);
            }
            var active = ParseRevision(activeRevision);
            var stored = _store.Candidate();
            _candidate = stored is null ? (JsonObject)active.DeepClone() : ConfigDocument.Parse(stored.Document);
            _candidateBase = stored?.BaseRevision ?? activeRevision!.Id;
            foreach (var r in _reconcilers)
            {
                try
                {
                    await r.Prepare(active).ApplyAsync(ct);
                    _events.ClearAlarm("reconcile-" + r.Subsystem);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.StartReconcileFailed(_log, r.Subsystem, e);
                    _events.RaiseAlarm("reconcile-" + r.Subsystem, "major",
                        $"subsystem {r.Subsystem} could not apply the active configuration at start: {e.Message}");
                }
            }
            if (activeRevision?.ConfirmBy is DateTimeOffset deadline) ArmConfirmTimer(activeRevision.Id, deadline);
        }
        finally { _gate.Release(); }
    }

    /// <summary>SIGTERM: refuse new commits, wait for the one in flight.</summary>
    public async Task StopAsync()
    {
        _stopping = true;
        await _gate.WaitAsync();
        try { DisarmConfirmTimer(); }
        finally { _gate.Release(); }
    }

    /// <summary>The watchdog's liveness check: the engine's gate can be taken (no commit or edit is stuck holding it).</summary>
    public async Task<bool> ProbeAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        _gate.Release();
        return true;
    }

    /// <summary>Test hook (cped --test-hooks): takes the gate and never gives it back, as a deadlocked engine would.</summary>
    public Task HangForTestAsync() => _gate.WaitAsync();

    JsonObject ParseRevision(Revision? r) => r is null ? ConfigDocument.FactoryDefault(_wanPort) : ConfigDocument.Parse(r.Document);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _gate.Dispose();
    }
}
