using Cpe.Api;
using Cpe.Config;
using Cpe.TestKit;
using Microsoft.Data.Sqlite;

namespace Cpe.IntegrationTests.Platform;

/// <summary>kill -9 during commits, a corrupt store at start, and SIGTERM: the box always comes back consistent.</summary>
[Trait("Kind", "Integration")]
public sealed class CrashRecoveryTests : IDisposable
{
    readonly string _state = Directory.CreateTempSubdirectory("cpe-crash-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    /// <summary>
    /// Starts committing host names h0, h1, ... until cancelled, and returns once the first commit is
    /// acknowledged (a busy machine may take a while). The task it returns gives the last one acknowledged
    /// and the one in flight.
    /// </summary>
    static async Task<Task<(string? Acknowledged, string? InFlight)>> StartCommitStreamAsync(string socket, CancellationToken stop)
    {
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = CommitStreamAsync(socket, stop, first);
        await Task.WhenAny(first.Task, stream).WaitAsync(TimeSpan.FromSeconds(30));
        if (!first.Task.IsCompleted) throw new InvalidOperationException("the commit stream ended before any commit was acknowledged");
        return stream;
    }

    static async Task<(string? Acknowledged, string? InFlight)> CommitStreamAsync(string socket, CancellationToken stop, TaskCompletionSource firstAcknowledged)
    {
        string? acknowledged = null, inFlight = null;
        try
        {
            await using var api = await ApiClient.ConnectAsync(socket, "cpe");
            await api.EnterConfigAsync(false);
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                inFlight = $"h{i}";
                await api.SetAsync(["system", "host-name", inFlight]);
                await api.CommitAsync(new CommitParams());
                acknowledged = inFlight;
                firstAcknowledged.TrySetResult();
            }
        }
        catch (Exception e) when (e is RpcException or IOException or System.Net.Sockets.SocketException or OperationCanceledException) { }
        return (acknowledged, inFlight);
    }

    static string IntegrityCheck(string directory)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(directory, "cpe.db")};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA integrity_check";
        return (string)cmd.ExecuteScalar()!;
    }

    [Fact]
    public async Task Kill_9_during_a_stream_of_commits_leaves_a_committed_revision_and_an_intact_store()
    {
        for (int round = 0; round < 3; round++)
        {
            await using var cped = new DaemonProcess(_state);
            await cped.StartAsync();
            using var stop = new CancellationTokenSource();
            var stream = await StartCommitStreamAsync(cped.SocketPath, stop.Token);
            // Kill at a different point of the stream each round.
            await Task.Delay(100 + 150 * round);
            await cped.KillAsync();
            stop.Cancel();
            var (acknowledged, inFlight) = await stream;
            Assert.NotNull(acknowledged);

            await using var again = new DaemonProcess(_state);
            await again.StartAsync();
            await using var api = await again.ConnectAsync();
            var active = (await api.GetConfigAsync("active")).Document;
            string host = active["system"]!["host-name"]!.GetValue<string>();
            // Every acknowledged commit is durable; the one in flight may or may not have landed.
            Assert.True(host == acknowledged || host == inFlight, $"active {host}, acknowledged {acknowledged}, in flight {inFlight}");
            var history = await api.HistoryAsync();
            Assert.Equal(host, ConfigDocument.Parse(ConfigDocument.Serialize(active))["system"]!["host-name"]!.GetValue<string>());
            Assert.Contains(history, h => h.Number == 0);
            Assert.Equal(host, again.KernelHostName());
            Assert.Equal(0, await again.StopAsync());
            Assert.Equal("ok", IntegrityCheck(_state));
        }
    }

    [Fact]
    public async Task A_corrupt_store_is_moved_aside_the_last_good_revision_restored_and_an_alarm_raised()
    {
        await using (var cped = new DaemonProcess(_state))
        {
            await cped.StartAsync();
            var r = await CliProcess.RunAsync(cped.SocketPath, "configure; set system host-name before-corruption; commit");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal(0, await cped.StopAsync());
        }
        string db = Path.Combine(_state, "cpe.db");
        await using (var f = new FileStream(db, FileMode.Open, FileAccess.Write))
            await f.WriteAsync(Enumerable.Range(0, 4096).Select(i => (byte)(i * 13)).ToArray());

        await using var recovered = new DaemonProcess(_state);
        await recovered.StartAsync();
        var alarms = await CliProcess.RunAsync(recovered.SocketPath, "show system alarms");
        Assert.Contains("1 alarm currently active", alarms.Output);
        Assert.Contains("state-db-corrupt", alarms.Output);
        Assert.Contains("config.last-good.json", alarms.Output);
        Assert.Equal("host-name before-corruption;\n", (await CliProcess.RunAsync(recovered.SocketPath, "show configuration system host-name")).Output);
        Assert.Equal("before-corruption", recovered.KernelHostName());
        Assert.Single(Directory.GetFiles(_state, "cpe.db.corrupt-*"), p => !p.EndsWith("-wal") && !p.EndsWith("-shm"));
    }

    [Fact]
    public async Task SIGTERM_finishes_in_flight_commits_closes_the_store_and_exits_0()
    {
        await using var cped = new DaemonProcess(_state);
        await cped.StartAsync();
        using var stop = new CancellationTokenSource();
        var stream = await StartCommitStreamAsync(cped.SocketPath, stop.Token);
        await Task.Delay(200);
        Assert.Equal(0, await cped.StopAsync());
        stop.Cancel();
        var (acknowledged, _) = await stream;
        Assert.False(File.Exists(cped.SocketPath), "the socket is removed on a clean stop");
        Assert.Contains("stopped cleanly", cped.Log());
        Assert.Equal("ok", IntegrityCheck(_state));

        await using var again = new DaemonProcess(_state);
        await again.StartAsync();
        await using var api = await again.ConnectAsync();
        string host = (await api.GetConfigAsync("active")).Document["system"]!["host-name"]!.GetValue<string>();
        // Every acknowledged commit survived the stop: the active one is that one or a later one.
        Assert.NotNull(acknowledged);
        Assert.True(int.Parse(host[1..]) >= int.Parse(acknowledged[1..]), $"acknowledged {acknowledged} but active is {host}");
    }
}
