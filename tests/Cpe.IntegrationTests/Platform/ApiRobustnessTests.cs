using System.Net.Sockets;
using System.Text;
using Cpe.Api;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Platform;

/// <summary>Garbage, oversized messages, unknown methods and the wrong role: errors for that client, service for the rest.</summary>
[Trait("Kind", "Integration")]
public sealed class ApiRobustnessTests : DaemonTest
{
    protected override Task SetUpAsync()
    {
        // Let unprivileged test users reach the socket; what they may do is decided by role.
        File.SetUnixFileMode(Cped.StateDirectory, (UnixFileMode)0b111_101_101);
        return Task.CompletedTask;
    }

    async Task AssertStillServing()
    {
        await using var other = await Cped.ConnectAsync();
        Assert.Equal("CPE firmware", (await other.VersionAsync()).Product);
    }

    [Fact]
    public async Task Raw_garbage_on_the_socket_drops_that_connection_only()
    {
        using var raw = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await raw.ConnectAsync(new UnixDomainSocketEndPoint(Cped.SocketPath));
        await raw.SendAsync(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("GET / HTTP/1.1\r\nthis is not a multiplexed stream\r\n", 50))));
        await AssertStillServing();
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int n;
        do { n = await raw.ReceiveAsync(buffer, cts.Token); } while (n > 0);
        Assert.Equal(0, n);
        await AssertStillServing();
    }

    [Fact]
    public async Task Not_json_gets_a_parse_error_and_the_connection_keeps_working()
    {
        await using var api = await Cped.ConnectAsync();
        await api.SendRawAsync(Encoding.UTF8.GetBytes("this is { not json"));
        var error = await api.NextUnsolicitedErrorAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(RpcErrorCodes.ParseError, error.Code);
        Assert.Equal("CPE firmware", (await api.VersionAsync()).Product);
    }

    [Fact]
    public async Task A_message_that_is_not_utf8_is_a_parse_error_and_nothing_is_stored()
    {
        await using var api = await Cped.ConnectAsync();
        await api.EnterConfigAsync(false);
        byte[] head = Encoding.ASCII.GetBytes("""{"jsonrpc":"2.0","id":5,"method":"config.set","params":{"path":["system","host-name","caf""");
        await api.SendRawAsync((byte[])[.. head, 0xE9, .. Encoding.ASCII.GetBytes("\"]}}")]);
        var error = await api.NextUnsolicitedErrorAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(RpcErrorCodes.ParseError, error.Code);
        Assert.Contains("not UTF-8", error.Message);
        Assert.False((await api.ConfigStatusAsync()).HasChanges);
    }

    [Fact]
    public async Task An_unknown_method_is_method_not_found()
    {
        await using var api = await Cped.ConnectAsync();
        var e = await Assert.ThrowsAsync<RpcException>(() => api.CallAsync("system.selfDestruct", new Empty(),
            ApiJsonContext.Default.Empty, ApiJsonContext.Default.OkResult));
        Assert.Equal(RpcErrorCodes.MethodNotFound, e.Code);
        Assert.Contains("system.selfDestruct", e.Message);
    }

    [Fact]
    public async Task Bad_params_are_invalid_params()
    {
        await using var api = await Cped.ConnectAsync();
        await api.SendRawAsync(Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":77,"method":"system.log","params":{"count":"many"}}"""));
        await api.SendRawAsync(Encoding.UTF8.GetBytes("""{"jsonrpc":"1.0","id":78,"method":"system.version"}"""));
        await AssertStillServing();
        Assert.Equal("CPE firmware", (await api.VersionAsync()).Product);
    }

    [Fact]
    public async Task A_10_MB_message_is_refused_and_the_connection_keeps_working()
    {
        await using var api = await Cped.ConnectAsync();
        string huge = """{"jsonrpc":"2.0","id":1,"method":"config.set","params":{"path":["system","login","banner",""" + "\"" + new string('x', 10 << 20) + "\"]}}";
        await api.SendRawAsync(Encoding.UTF8.GetBytes(huge));
        var error = await api.NextUnsolicitedErrorAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(RpcErrorCodes.MessageTooLarge, error.Code);
        Assert.Equal("CPE firmware", (await api.VersionAsync()).Product);
        await AssertStillServing();
    }

    [Fact]
    public async Task A_user_without_a_login_class_is_refused_by_peer_credentials()
    {
        string cpe = Binaries.CpeForOtherUsers(Cped.StateDirectory);
        var r = await CliProcess.RunAsync(Cped.SocketPath, "show version", asUser: "nobody", binary: cpe);
        Assert.Equal(4, r.ExitCode);
        Assert.Contains("permission denied: user 'nobody' (role none) may not call system.version", r.Error);
        await AssertStillServing();
    }

    [Fact]
    public async Task Only_root_may_assume_a_user_and_an_operator_cannot_configure()
    {
        var setup = await Cpe("configure; set system login user otto class operator; commit");
        Assert.True(setup.ExitCode == 0, setup.ToString());
        await using var api = await Cped.ConnectAsync();
        var me = await api.AssumeAsync("otto");
        Assert.Equal(("otto", "operator"), (me.User, me.Role));
        Assert.Equal("CPE firmware", (await api.VersionAsync()).Product);
        var refused = await Assert.ThrowsAsync<RpcException>(() => api.EnterConfigAsync(false));
        Assert.Equal(RpcErrorCodes.PermissionDenied, refused.Code);
        // Once assumed, the session is no longer root's: it cannot assume again.
        var again = await Assert.ThrowsAsync<RpcException>(() => api.AssumeAsync("otto"));
        Assert.Equal(RpcErrorCodes.PermissionDenied, again.Code);
    }

    [Fact]
    public async Task Events_and_logs_are_streamed_on_their_channels()
    {
        await using var watcher = await Cped.ConnectAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = watcher.EventsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var logs = watcher.LogsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var nextEvent = events.MoveNextAsync().AsTask();
        var nextLog = logs.MoveNextAsync().AsTask();

        // Keep committing until the watcher has seen one: its channels open asynchronously, and
        // only what happens after they open is streamed.
        using var stop = new CancellationTokenSource();
        var committer = Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                var r = await Cpe($"configure; set system host-name streamed-{i % 2}; commit comment watched");
                Assert.True(r.ExitCode == 0, r.ToString());
                await Task.Delay(200);
            }
        });
        try
        {
            Assert.True(await nextEvent);
            while (events.Current.Type != "commit") Assert.True(await events.MoveNextAsync());
            Assert.Contains("watched", events.Current.Text);
            Assert.True(await nextLog);
            while (logs.Current.EventId != 1200) Assert.True(await logs.MoveNextAsync());
            Assert.Equal("ApiServer", logs.Current.Category);
            Assert.Equal("info", logs.Current.Level);
            Assert.Contains("API session", logs.Current.Message);
        }
        finally
        {
            stop.Cancel();
            await committer;
            cts.Cancel();
        }
    }
}
