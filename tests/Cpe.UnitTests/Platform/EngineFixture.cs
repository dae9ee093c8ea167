using Cpe.TestKit;
using Cpe.Platform.Configuration;
using Cpe.Platform.Events;
using Cpe.Platform.State;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cpe.UnitTests.Platform;

/// <summary>A config engine over a real SQLite store in a temporary folder, with fake subsystems.</summary>
public sealed class EngineFixture : IAsyncDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("cpe-engine-").FullName;
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    public FakeHostName Kernel { get; } = new();
    public FakeReconciler Network { get; } = new("network");
    public FakeReconciler Vnf { get; } = new("vnf");
    public StateStore Store { get; private set; } = null!;
    public PlatformEvents Events { get; private set; } = null!;
    public ConfigEngine Engine { get; private set; } = null!;
    public Editor Tech { get; } = new(1, "tech", ConfigSources.Cli);

    public static async Task<EngineFixture> StartAsync()
    {
        var f = new EngineFixture();
        await f.OpenAsync();
        return f;
    }

    public async Task OpenAsync()
    {
        Store = StateStore.Open(Directory, Clock);
        Events = new PlatformEvents(Store);
        Engine = new ConfigEngine(Store, Events, [new SystemReconciler(Kernel), Network, Vnf], Clock,
            NullLogger<ConfigEngine>.Instance, Directory);
        await Engine.StartAsync(CancellationToken.None);
    }

    /// <summary>Stops the engine and closes the store, as a daemon restart would.</summary>
    public async Task RestartAsync()
    {
        await Engine.DisposeAsync();
        Store.Dispose();
        await OpenAsync();
    }

    public async Task<CommitOutcome> CommitHostNameAsync(string name, int? confirmMinutes = null, string? comment = null)
    {
        await Engine.EnterAsync(Tech, false, CancellationToken.None);
        await Engine.SetAsync(Tech, ["system", "host-name", name], CancellationToken.None);
        return await Engine.CommitAsync(Tech, false, confirmMinutes, comment, CancellationToken.None);
    }

    public string? ActiveHostName => Engine.Active()["system"]?["host-name"]?.GetValue<string>();

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        Store.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
