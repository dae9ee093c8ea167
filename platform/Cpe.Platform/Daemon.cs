using System.Diagnostics;
using Cpe.Platform.Api;
using Cpe.Platform.Configuration;
using Cpe.Platform.Events;
using Cpe.Network.Board;
using Cpe.Platform.Logging;
using Cpe.Platform.Network;
using Cpe.Platform.Provisioning;
using Cpe.Platform.State;
using Microsoft.Extensions.Logging;

namespace Cpe.Platform;

/// <summary>
/// cped's parts wired together: store, events, config engine with its reconcilers, API server.
/// Start brings the box to its committed configuration; Stop finishes the commit in flight,
/// closes the API and the store.
/// </summary>
public sealed class Daemon : IAsyncDisposable
{
    readonly DaemonOptions _options;
    readonly ILoggerFactory _loggers;
    readonly ILogger _log;
    readonly TimeProvider _clock;
    readonly IReadOnlyList<IReconciler>? _reconcilers;
    StateStore? _store;
    ApiServer? _api;
    NetworkSubsystem? _network;

    public ConfigEngine? Engine { get; private set; }
    public PlatformEvents? Events { get; private set; }
    public PlatformLoggerProvider Logs { get; }

    public Daemon(DaemonOptions options, TimeProvider clock, TextWriter logSink, IReadOnlyList<IReconciler>? reconcilers = null)
    {
        _options = options;
        _clock = clock;
        _reconcilers = reconcilers;
        Logs = new PlatformLoggerProvider(logSink, clock, LogLevel.Information);
        _loggers = new LoggerFactory([Logs]);
        _log = _loggers.CreateLogger("cped");
    }

    public async Task StartAsync(CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        var startedAt = _clock.GetUtcNow();
        // A bad board profile stops the start before anything is opened.
        NetworkProfile? board = _options.BoardProfile is string path ? NetworkProfile.Load(path) : null;
        _store = StateStore.Open(_options.StateDirectory, _clock);
        Events = new PlatformEvents(_store);
        if (_store.Recovery is StoreRecovery r)
        {
            Log.StoreRecovered(_log, r.Problem, r.MovedTo, r.RestoredFrom);
            Events.RaiseAlarm("state-db-corrupt", "major",
                $"state database was unreadable ({r.Problem}); moved to {r.MovedTo}; started from "
                + (r.RestoredRevision is long id ? $"revision {id} ({r.RestoredFrom})" : "factory default"));
        }
        if (board is not null && _reconcilers is null)
            _network = new NetworkSubsystem(board, _options.StateDirectory, Events, _loggers.CreateLogger("network"), _clock);
        var reconcilers = _reconcilers ?? [new SystemReconciler(new LinuxHostName()), .. (IReconciler[])(_network is null ? [] : [_network])];
        Engine = new ConfigEngine(_store, Events, reconcilers, _clock, _loggers.CreateLogger<ConfigEngine>(), _options.StateDirectory, board?.Wan?.Name);
        await Engine.StartAsync(ct);
        _network?.Start();

        var sessions = new SessionRegistry();
        var system = new SystemInfo();
        string model = board?.Model ?? _options.Model;
        var methods = new PlatformMethods(Engine, _store, sessions, system, _clock, model, startedAt).Build();
        _network?.AddMethods(methods);
        new ProvisioningMethods(Engine, _store, Events, ScriptSandboxFor(_options), system, _clock, model, startedAt, _options.ConsoleDrop).AddMethods(methods);
        var roles = new RoleResolver(_options.PasswdPath, _options.PhonehomeUser);
        _api = new ApiServer(_options.SocketPath, methods, sessions, roles, Engine, Events, Logs.Lines, _clock, _loggers.CreateLogger<ApiServer>());
        _api.Start();
        Events.Record("daemon-started", $"cped {PlatformMethods.ProductVersion} started");
        Log.Ready(_log, PlatformMethods.ProductVersion, _options.SocketPath, _options.StateDirectory, started.ElapsedMilliseconds);
    }

    /// <summary>Scripts see neither the state directory nor the factory storage (the IDevID key).</summary>
    static ScriptSandbox ScriptSandboxFor(DaemonOptions options)
    {
        string work = Path.Combine(Path.GetTempPath(), "cpe-scripts");
        Directory.CreateDirectory(work);
        File.SetUnixFileMode(work, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        string[] hidden = [options.StateDirectory, .. options.FactoryDirectory is string f ? new[] { f } : []];
        return new ScriptSandbox("/sys/fs/cgroup", work, hidden);
    }

    public async Task StopAsync()
    {
        Log.Stopping(_log);
        if (Engine is not null) await Engine.StopAsync();
        if (_api is not null) await _api.DisposeAsync();
        if (_network is not null) await _network.DisposeAsync();
        _network = null;
        Events?.Record("daemon-stopped", "cped stopped");
        _store?.Dispose();
        _store = null;
        Log.Stopped(_log);
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is not null) await StopAsync();
        _loggers.Dispose();
    }
}
