using System.Globalization;
using System.Text.RegularExpressions;
using Cpe.Api;
using Cpe.TestKit;
using Nerdbank.Streams;

namespace Cpe.IntegrationTests.Platform;

/// <summary>
/// A hostile local user against the local API: idle connections, connections that never send a request, running
/// cped out of descriptors, and channel offers it never accepts. Root's CLI keeps answering through all of it.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class ApiLimitsTests
{
    static async Task<DaemonProcess> StartAsync(params string[] options)
    {
        var cped = new DaemonProcess { ExtraArguments = options };
        await cped.StartAsync();
        // Let the unprivileged attacker reach the socket.
        File.SetUnixFileMode(cped.StateDirectory, (UnixFileMode)0b111_101_101);
        return cped;
    }

    static async Task AssertRootAnswers(DaemonProcess cped)
    {
        var r = await CliProcess.RunAsync(cped.SocketPath, "show version");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("CPE firmware", r.Output);
    }

    [Fact]
    public async Task A_user_holds_at_most_its_share_of_connections_and_root_still_gets_in()
    {
        await using var cped = await StartAsync();
        await using var flood = ConnectionFlood.Start(cped.SocketPath, "nobody", 200, TimeSpan.FromSeconds(6));
        while (flood.OpenNow < 0) await Task.Delay(100);
        await Task.Delay(1500);
        await AssertRootAnswers(cped);
        int open = flood.OpenNow;
        Assert.True(open is > 0 and <= 16, $"nobody holds {open} connections; the limit per user is 16\n{flood.Report}");
        Assert.Contains("uid 65534 holds 16 connections, the limit per user", cped.Log());
        await flood.FinishAsync(TimeSpan.FromSeconds(30));
        await AssertRootAnswers(cped);
    }

    [Fact]
    public async Task A_connection_that_sends_no_request_is_dropped()
    {
        await using var cped = await StartAsync("--api-first-request-timeout", "1");
        await using var flood = ConnectionFlood.Start(cped.SocketPath, "nobody", 8, TimeSpan.FromSeconds(5));
        int last = await flood.FinishAsync(TimeSpan.FromSeconds(30));
        Assert.True(last == 0, $"{last} idle connections outlived the first-request timeout\n{flood.Report}");
        Assert.Contains("no request within 1 s of connecting; connection dropped", cped.Log());
        await AssertRootAnswers(cped);
    }

    [Fact]
    public async Task The_accept_loop_survives_running_out_of_descriptors_and_SIGTERM_stops_cleanly()
    {
        // Limits raised past the descriptor limit, so that cped really meets EMFILE.
        await using var cped = await StartAsync("--api-connections-per-user", "5000", "--api-connections", "5000");
        string pid = cped.Process.Id.ToString(CultureInfo.InvariantCulture);
        Command.Run("prlimit", ["--pid", pid, "--nofile=96:96"]);
        string report;
        await using (var flood = ConnectionFlood.Start(cped.SocketPath, "nobody", 400, TimeSpan.FromSeconds(4)))
        {
            await flood.FinishAsync(TimeSpan.FromSeconds(60));
            report = flood.Report;
        }
        // Proof cped met EMFILE: accept failed, or a connection it did accept could not open /etc/passwd. Event 1205
        // is rate-limited per kind of problem, so neither can hide the other.
        Assert.True(Regex.IsMatch(cped.Log(), @"accept failed \(TooManyOpenSockets\)|Too many open files"),
            $"no sign that cped ran out of descriptors\nflood: {report}\n{cped.Log()}");
        // The attacker has gone: the API must come back by itself.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        CliResult r;
        do r = await CliProcess.RunAsync(cped.SocketPath, "show version");
        while (r.ExitCode != 0 && DateTime.UtcNow < deadline);
        Assert.True(r.ExitCode == 0, r + "\n" + cped.Log());
        Assert.Equal(0, await cped.StopAsync());
        Assert.DoesNotContain("Unhandled exception", cped.Log());
    }

    [Fact]
    public async Task Offers_of_channels_cped_does_not_serve_end_that_connection_only()
    {
        await using var cped = await StartAsync();
        long idle = cped.ResidentKilobytes();
        for (int round = 0; round < 5; round++)
        {
            var mux = await RawMuxAsync(cped);
            var offers = Enumerable.Range(0, 20_000).Select(i => mux.OfferChannelAsync("junk-" + i, CancellationToken.None)).ToList();
            await Task.WhenAny(mux.Completion, Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.True(mux.Completion.IsCompleted, "cped kept a connection that offered 20,000 channels it does not serve");
            await mux.DisposeAsync();
            foreach (var o in offers) try { await o; } catch (Exception) { /* refused or cut off, as meant */ }
        }
        Assert.Contains("which cped does not serve; connection dropped", cped.Log());
        await AssertRootAnswers(cped);
        long after = cped.ResidentKilobytes();
        Assert.True(after < idle + 40_000, $"cped grew from {idle} KiB to {after} KiB after the offers were dropped");
    }

    [Fact]
    public async Task More_channels_at_once_than_the_limit_end_that_connection()
    {
        await using var cped = await StartAsync();
        var mux = await RawMuxAsync(cped);
        var channels = new List<MultiplexingStream.Channel>();
        try
        {
            for (int i = 0; i < 12 && !mux.Completion.IsCompleted; i++)
                channels.Add(await mux.OfferChannelAsync(ApiMethods.RpcChannel).WaitAsync(TimeSpan.FromSeconds(10)));
        }
        catch (Exception e) when (e is not TimeoutException) { /* the connection was ended mid-offer */ }
        await Task.WhenAny(mux.Completion, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.True(mux.Completion.IsCompleted, "cped kept a connection with 12 channels open");
        Assert.Contains("more than 8 channels open at once; connection dropped", cped.Log());
        await mux.DisposeAsync();
        await AssertRootAnswers(cped);
    }

    static async Task<MultiplexingStream> RawMuxAsync(DaemonProcess cped)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(cped.SocketPath));
        return await MultiplexingStream.CreateAsync(new System.Net.Sockets.NetworkStream(socket, ownsSocket: true), ApiClient.MuxOptions);
    }
}
