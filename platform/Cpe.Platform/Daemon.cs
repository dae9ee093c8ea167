using System.Diagnostics;
using Cpe.Api;
using Cpe.Board.Identity;
using Cpe.Board.Profile;
using Cpe.Network;
using Cpe.Platform.Api;
using Cpe.Platform.Board;
using Cpe.Platform.Configuration;
using Cpe.Platform.Events;
using Cpe.Platform.Logging;
using Cpe.Platform.Network;
using Cpe.Platform.Provisioning;
using Cpe.Platform.State;
using Cpe.Platform.Vnf;
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
    HostNetwork? _host;
    NetworkSubsystem? _network;
    VnfSubsystem? _vnf;
    BoardSubsystem? _board;
    WatchdogKeeper? _watchdog;
    readonly TaskCompletionSource<PowerRequest> _power = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the reset button or an admin asks to reboot, power off or zeroize; cped then stops and does it.</summary>
    public Task<PowerRequest> PowerRequested => _power.Task;

    /// <summary>The board, when cped runs with a board profile.</summary>
    public BoardSubsystem? Board => _board;

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
        BoardProfile? board = _options.BoardProfile is string path ? BoardSelection.Select(path, _options.BoardFolder) : null;
        _store = StateStore.Open(_options.StateDirectory, _clock);
        Events = new PlatformEvents(_store);
        var identity = IdentityFrom(_options.FactoryDirectory);
        // The status LED shows "booting" from here on.
        if (board is not null)
            _board = new BoardSubsystem(board, identity, SystemMethods.ProductVersion, Events, _store, _loggers.CreateLogger("board"), _clock);
        if (_store.Recovery is StoreRecovery r)
        {
            Log.StoreRecovered(_log, r.Problem, r.MovedTo, r.RestoredFrom);
            Events.RaiseAlarm("state-db-corrupt", "major",
                $"state database was unreadable ({r.Problem}); moved to {r.MovedTo}; started from "
                + (r.RestoredRevision is long id ? $"revision {id} ({r.RestoredFrom})" : "factory default"));
        }
        if (_store.SchemaFallback is SchemaFallback schema)
        {
            string text = $"the state database has schema {schema.FoundSchema}, newer than this firmware's {schema.KnownSchema} (a fallback from newer firmware): "
                + $"set aside as {schema.MovedTo}; went on from " + (schema.FromCopy ? "the copy kept before it was migrated" : "an empty database (no copy was kept)")
                + (schema.CarriedRevision is long carried ? $", with revision {carried} carried over" : "");
            Log.StoreSchemaFallback(_log, text);
            Events.Record("state-db-schema-fallback", text);
        }
        // One socket and one SR-IOV driver for both subsystems: the VFs have one owner (HostNetwork.VfOwnership).
        if (board is not null && _reconcilers is null)
        {
            _host = HostNetwork.Open(board.Network.Sriov);
            _network = new NetworkSubsystem(_host, board.Network with { BaseMac = identity.BaseMac }, _options.StateDirectory, Events, _loggers.CreateLogger("network"), _clock);
            _vnf = new VnfSubsystem(new VnfHostOptions(_options.StateDirectory, _options.VnfRuntime, board.Cpu?.VnfCores ?? [],
                    CgroupParent: _options.VnfCgroupParent, NetnsPrefix: _options.VnfNetnsPrefix),
                board.Network, _host, Events, _loggers.CreateLogger("vnf"), _clock)
            {
                TrustFiles = [.. _options.FactoryDirectory is string f ? new[] { Path.Combine(f, "vendor-ca.pem") } : [], .. _options.VnfTrust],
                ClientCertificate = () => Provisioning.DeviceIdentity.ClientCertificate(_options.FactoryDirectory),
            };
        }
        // VNFs after the network: their chains steer between ports the network reconciler has brought up.
        var reconcilers = _reconcilers ?? [new SystemReconciler(new LinuxHostName()), .. (IReconciler[])(_network is null ? [] : [_network]), .. (IReconciler[])(_vnf is null ? [] : [_vnf])];
        Engine = new ConfigEngine(_store, Events, reconcilers, _clock, _loggers.CreateLogger<ConfigEngine>(), _options.StateDirectory, board?.Network.Wan?.Name);
        await Engine.StartAsync(ct);
        _network?.Start();

        var sessions = new SessionRegistry();
        var system = new SystemInfo();
        string model = board?.Model ?? _options.Model;
        var methods = new MethodTable();
        new SessionMethods(Engine).AddMethods(methods);
        new SystemMethods(Engine, _store, sessions, system, _clock, model, startedAt).AddMethods(methods);
        new ConfigMethods(Engine).AddMethods(methods);
        _network?.AddMethods(methods);
        if (_network is not null && _vnf is not null) _network.VnfNamespace = _vnf.NamespaceOf;
        Logging.LogMessages.AddMethods(methods, _options.LogFile);
        _vnf?.AddMethods(methods);
        var provisioning = new ProvisioningMethods(Engine, _store, Events, ScriptSandboxFor(_options), system, _clock, model, startedAt, _options.ConsoleDrop);
        provisioning.AddMethods(methods);
        if (_board is not null) BoardMethods.Add(methods, _board, () => _watchdog, RequestPower, Engine, _options.TestHooks);
        var image = Image.ImageSubsystem.Open(_options, model, SystemMethods.ProductVersion, Events, _loggers.CreateLogger("image"), RequestPower, _clock);
        image?.AddMethods(methods);
        var roles = new RoleResolver(_options.PasswdPath, _options.PhonehomeUser);
        _api = new ApiServer(_options.SocketPath, methods, sessions, roles, Engine, Events, Logs.Lines, _clock, _loggers.CreateLogger<ApiServer>(), _options.ApiLimits);
        _api.Start();
        if (_board is not null)
        {
            _board.Start(() => provisioning.Status, RequestPower);
            provisioning.StatusChanged += _board.Refresh;
            _board.MarkStarted();
            if (board!.Watchdog is { } watchdog)
                _watchdog = WatchdogKeeper.Arm(watchdog, HealthChecks(), Events, _loggers.CreateLogger("watchdog"), _clock);
        }
        image?.Start(new Image.HealthChecks(
            Wan: () => _network?.WanProblem(),
            Server: () => ServerProblem(provisioning.Status),
            Configuration: () => _store.ActiveAlarms().FirstOrDefault(a => a.Type.StartsWith("reconcile-", StringComparison.Ordinal)) is { } a ? a.Text : null),
            CancellationToken.None);
        Events.Record("daemon-started", $"cped {SystemMethods.ProductVersion} started");
        Log.Ready(_log, SystemMethods.ProductVersion, _options.SocketPath, _options.StateDirectory, started.ElapsedMilliseconds);
    }

    /// <summary>The factory storage's identity; a box without one (a developer's cped) is "unknown".</summary>
    static BoardIdentity IdentityFrom(string? factory) =>
        factory is not null && File.Exists(Path.Combine(factory, "serial-number")) ? BoardIdentity.Load(factory) : new BoardIdentity("unknown", null, null, null, null);

    /// <summary>What must work for the watchdog to be petted: the store, the API, the config engine.</summary>
    List<HealthCheck> HealthChecks() =>
    [
        new("state store writable", _ => Task.FromResult(_store!.CheckWritable())),
        new("API answering", async ct =>
        {
            await using var client = await ApiClient.ConnectAsync(_options.SocketPath, "watchdog", ct);
            return (await client.VersionAsync(ct)).Version.Length > 0;
        }),
        new("config engine alive", ct => Engine!.ProbeAsync(ct)),
    ];

    /// <summary>A box with an identity must reach its vendor server (the agent says so) before a new slot counts as good.</summary>
    string? ServerProblem(ZtpStatus status) =>
        _options.FactoryDirectory is not string f || !File.Exists(Path.Combine(f, "idevid.pem")) ? null
        : status.State is "bootstrap-complete" or "in-service" ? null
        : $"the phone-home agent has not reached the vendor server since cped started (it says {status.State}: {status.Message})";

    void RequestPower(PowerRequest request)
    {
        if (!_power.TrySetResult(request)) return;   // the first request wins; the box is already on its way down
        Log.PowerRequested(_log, request.Word, request.Reason);
        if (request.Action == PowerAction.Zeroize) _board?.MarkZeroizing();
        Events?.Record("power", $"{request.Word} requested: {request.Reason}");
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
        if (_watchdog is not null) await _watchdog.DisposeAsync();
        _watchdog = null;
        if (_board is not null) await _board.DisposeAsync();
        _board = null;
        if (_vnf is not null) await _vnf.DisposeAsync();
        _vnf = null;
        if (_network is not null) await _network.DisposeAsync();
        _network = null;
        _host?.Dispose();
        _host = null;
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
