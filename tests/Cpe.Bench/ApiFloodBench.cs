using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Cpe.Api;
using Cpe.TestKit;
using Nerdbank.Streams;

/// <summary>
/// cped's local API under a hostile local user (docs/benchmarks.md): user nobody holds as many idle connections as it
/// can and, from other connections, offers channels cped never serves, for a minute. Root's "cpe -c 'show version'"
/// is timed once a second before, throughout and after; cped's RSS idle, at its peak and after the attacker leaves.
/// </summary>
static class ApiFloodBench
{
    static readonly TimeSpan Attack = TimeSpan.FromSeconds(60);

    public static async Task<JsonObject> RunAsync()
    {
        await using var cped = new DaemonProcess();
        await cped.StartAsync();
        File.SetUnixFileMode(cped.StateDirectory, (UnixFileMode)0b111_101_101);
        await Task.Delay(2000);
        long idleRss = cped.ResidentKilobytes();
        var before = await TimeCliAsync(cped, 10, TimeSpan.Zero);

        await using var idle = ConnectionFlood.Start(cped.SocketPath, "nobody", 5000, Attack);
        using var offers = OfferFlood(cped.SocketPath, Attack);
        long peakRss = idleRss;
        var during = new List<double>();
        var until = DateTime.UtcNow + Attack;
        while (DateTime.UtcNow < until)
        {
            during.AddRange(await TimeCliAsync(cped, 1, TimeSpan.Zero));
            peakRss = Math.Max(peakRss, cped.ResidentKilobytes());
            await Task.Delay(1000);
        }
        int held = await idle.FinishAsync(TimeSpan.FromSeconds(60));
        await offers.WaitForExitAsync();
        string offerReport = (await offers.StandardOutput.ReadToEndAsync()).Trim();
        await Task.Delay(5000);
        long afterRss5 = cped.ResidentKilobytes();
        // Idle thread-pool workers the storm added retire after about 20 s; their stacks go with them.
        await Task.Delay(25_000);
        long afterRss = cped.ResidentKilobytes();
        var after = await TimeCliAsync(cped, 10, TimeSpan.Zero);
        int stop = await cped.StopAsync();

        return new JsonObject
        {
            ["method"] = $"nobody opens as many idle connections as its descriptor limit lets it (up to 5,000) and holds them, and offers unknown "
                + $"channels on fresh connections, for {Attack.TotalSeconds} s; root runs cpe -c 'show version' once a second (wall time of the whole "
                + "process); RSS of cped from /proc, idle 2 s after start, at its peak, and 5 s and 30 s after the attacker left",
            ["idle_connections"] = idle.Report.Split('\n').FirstOrDefault() ?? "",
            ["idle_connections_cped_kept_open_at_the_end"] = held,
            ["offer_flood"] = offerReport,
            ["cli_ms_before"] = Summary(before),
            ["cli_ms_during"] = Summary(during),
            ["cli_ms_after"] = Summary(after),
            ["cli_failures"] = before.Concat(during).Concat(after).Count(double.IsNaN),
            ["rss_kib_idle"] = idleRss,
            ["rss_kib_peak"] = peakRss,
            ["rss_kib_5s_after"] = afterRss5,
            ["rss_kib_30s_after"] = afterRss,
            ["rss_after_over_idle"] = Math.Round((double)afterRss / idleRss, 3),
            ["cped_exit_on_sigterm"] = stop,
            ["goals"] = new JsonObject { ["cli_ms_max"] = 1000, ["rss_after_over_idle_max"] = 1.2 },
        };
    }

    static JsonObject Summary(List<double> ms)
    {
        var ok = ms.Where(x => !double.IsNaN(x)).Order().ToList();
        return new JsonObject
        {
            ["runs"] = ms.Count,
            ["p50"] = ok.Count == 0 ? null : Math.Round(ok[ok.Count / 2], 1),
            ["max"] = ok.Count == 0 ? null : Math.Round(ok[^1], 1),
        };
    }

    /// <summary>Runs of root's cpe, each the wall time in ms, or NaN when it failed or took over 10 s.</summary>
    static async Task<List<double>> TimeCliAsync(DaemonProcess cped, int runs, TimeSpan gap)
    {
        var times = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            var run = CliProcess.RunAsync(cped.SocketPath, "show version");
            var done = await Task.WhenAny(run, Task.Delay(10_000));
            times.Add(done == run && (await run).ExitCode == 0 ? sw.Elapsed.TotalMilliseconds : double.NaN);
            if (gap > TimeSpan.Zero) await Task.Delay(gap);
        }
        return times;
    }

    /// <summary>This program again, as nobody, in its offer-flood mode.</summary>
    static Process OfferFlood(string socket, TimeSpan duration)
    {
        // Under "dotnet run" this is the app host; under "dotnet Cpe.Bench.dll", the dotnet host, which needs the dll.
        string host = Environment.ProcessPath!;
        string[] program = Path.GetFileNameWithoutExtension(host) == "dotnet" ? [host, typeof(ApiFloodBench).Assembly.Location] : [host];
        var psi = new ProcessStartInfo("runuser", ["-u", "nobody", "--", .. program, "offer-flood", socket,
            duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)])
        { RedirectStandardOutput = true, UseShellExecute = false };
        psi.Environment["DOTNET_CLI_HOME"] = "/tmp";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        return Process.Start(psi)!;
    }

    /// <summary>The attacker's side: connect, offer channels cped does not serve until it hangs up, again, until time is up.</summary>
    public static async Task OfferFloodAsync(string socket, TimeSpan duration)
    {
        long connections = 0, offered = 0;
        var until = DateTime.UtcNow + duration;
        while (DateTime.UtcNow < until)
        {
            try
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(socket));
                connections++;
                await using var mux = await MultiplexingStream.CreateAsync(new NetworkStream(s, ownsSocket: true), ApiClient.MuxOptions);
                var pending = new List<Task>();
                for (int i = 0; i < 10_000 && !mux.Completion.IsCompleted; i++, offered++)
                    pending.Add(mux.OfferChannelAsync("junk-" + i, CancellationToken.None));
                await Task.WhenAny(mux.Completion, Task.Delay(5000));
                foreach (var t in pending) _ = t.ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or MultiplexingProtocolException) { await Task.Delay(10); }
        }
        Console.WriteLine($"{connections} connections, {offered} channel offers");
    }
}
