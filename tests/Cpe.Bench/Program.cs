using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Cpe.Api;
using Cpe.TestKit;

// ./build.sh bench: start-to-ready, idle memory, CLI round trip and commit latency of the NativeAOT
// binaries against JIT builds of the same code, measured in the same run, written as JSON.
if (args.FirstOrDefault() == "network")
{
    // network OUT COMMAND: the reconciler against an ip script.
    await ReconcileBench.RunAsync(args[1], args[2]);
    return;
}
if (args.FirstOrDefault() == "server")
{
    // server: only the vendor server under load (for tuning it), printed.
    Console.WriteLine((await ServerBench.RunAsync()).ToJsonString(Pretty));
    return;
}
if (args.FirstOrDefault() == "fleet-tls")
{
    // fleet-tls OUT COMMAND [SECONDS]: the server's CPU per new TLS connection (full and resumed) against openssl s_server.
    var each = TimeSpan.FromSeconds(args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10);
    WriteReport(args[1], args[2], ("fleet_tls", await FleetTlsBench.RunAsync(each)));
    return;
}
if (args.FirstOrDefault() == "fleet-scale")
{
    // fleet-scale OUT COMMAND [ENROLLED] [ACTIVE] [SECONDS]: PostgreSQL, two server instances behind HAProxy, bulk enrolment,
    // check-ins on new TLS connections while a deployment rolls out to 10 %, one instance killed half way.
    int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;
    WriteReport(args[1], args[2], ("fleet_scale", await FleetScaleBench.RunAsync(Arg(3, 1_000_000), Arg(4, 100_000), TimeSpan.FromSeconds(Arg(5, 60)))));
    return;
}
if (args.FirstOrDefault() == "vnf")
{
    // vnf OUT COMMAND: launcher start latency against runc, sample VNF memory, forwarding rate, chain CPU cost.
    WriteReport(args[1], args[2], ("vnf", await VnfBench.RunAsync()));
    return;
}
if (args.FirstOrDefault() == "offer-flood")
{
    // offer-flood SOCKET SECONDS: the api bench's attacker, run as nobody.
    await ApiFloodBench.OfferFloodAsync(args[1], TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture)));
    return;
}
if (args.FirstOrDefault() == "api")
{
    // api OUT COMMAND: cped's local API under a hostile local user.
    WriteReport(args[1], args[2], ("api_flood", await ApiFloodBench.RunAsync()));
    return;
}
if (args.FirstOrDefault() == "attack")
{
    // attack: only cped's API latency while VNFs fork-bomb and hog memory, printed.
    Console.WriteLine((await VnfAttackBench.RunAsync()).ToJsonString(Pretty));
    return;
}
if (args.FirstOrDefault() == "lab")
{
    // lab: only start latency of our launcher and crun on cgroup v2 in the kernel lab, printed.
    Console.WriteLine((await VnfLabBench.RunAsync()).ToJsonString(Pretty));
    return;
}
if (args.FirstOrDefault() == "image-cuts")
{
    // image-cuts OUT COMMAND [CUTS]: power cuts at random points of firmware updates on the QEMU box, in a row (default 100).
    int cuts = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 100;
    WriteReport(args[1], args[2], ("power_cuts", await ImageCutBench.RunAsync(cuts, Random.Shared.Next())));
    return;
}
if (args.FirstOrDefault() == "image")
{
    // image OUT COMMAND: build time and sizes, boot against a plain kernel and without verity, install against dd, zero touch.
    WriteReport(args[1], args[2], ("firmware_image", await ImageBench.RunAsync()));
    return;
}
if (args.FirstOrDefault() == "image-install-native")
{
    // image-install-native: the box's installer against dd on this machine's CPU, into loop devices, printed.
    Console.WriteLine((await ImageBench.NativeInstallOnlyAsync()).ToJsonString(Pretty));
    return;
}
if (args.FirstOrDefault() == "image-install")
{
    // image-install [CPU]: only the install against dd, on a QEMU CPU model, printed.
    Console.WriteLine((await ImageBench.InstallOnlyAsync(args.ElementAtOrDefault(1))).ToJsonString(Pretty));
    return;
}
if (args.FirstOrDefault() == "ztp")
{
    // ztp OUT COMMAND: power-on to bootstrap-complete on the simulated board, and the vendor server under load.
    WriteReport(args[1], args[2], ("zero_touch", await ZeroTouchBench.RunAsync()), ("vendor_server", await ServerBench.RunAsync()),
        ("goals", new JsonObject { ["power_on_to_bootstrap_complete_ms"] = 2000, ["check_ins_per_second"] = 5000 }));
    return;
}
string aotDir = "", jitDir = "", outPath = "bench.json", command = "./build.sh bench";
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--aot": aotDir = args[++i]; break;
        case "--jit": jitDir = args[++i]; break;
        case "--out": outPath = args[++i]; break;
        case "--command": command = args[++i]; break;
    }
}
const int Starts = 15, CliRuns = 30, Commits = 100;

var aot = await Measure("NativeAOT", aotDir);
var jit = await Measure("JIT", jitDir);
var ratios = new JsonObject();
foreach (var (key, value) in aot)
    if (value is JsonValue v && v.TryGetValue(out double a) && jit[key] is JsonValue j && j.TryGetValue(out double b) && b != 0)
        ratios[key] = Math.Round(a / b, 3);

var report = new JsonObject
{
    ["command"] = command,
    ["date"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
    ["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}",
    ["method"] = $"medians: {Starts} cold starts of cped to its first answered API call; idle RSS 2 s after start; "
        + $"{CliRuns} runs of cpe -c 'show version'; {Commits} commits of a host-name change through the API",
    ["nativeaot"] = aot,
    ["jit"] = jit,
    ["ratio_nativeaot_over_jit"] = ratios,
    ["goals"] = new JsonObject { ["cped_idle_rss_mib"] = 25, ["cped_start_to_ready_ms"] = 100 },
};
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
File.WriteAllText(outPath, report.ToJsonString(Pretty) + "\n");
Console.WriteLine(report.ToJsonString(Pretty));

static async Task<JsonObject> Measure(string label, string dir)
{
    Console.Error.WriteLine($"measuring {label} binaries in {dir}");
    Environment.SetEnvironmentVariable("CPE_BIN_DIR", dir);
    string cped = Path.Combine(dir, "cped"), cpe = Path.Combine(dir, "cpe");

    var starts = new List<double>();
    double rssKb = 0;
    for (int i = 0; i < Starts; i++)
    {
        await using var d = new DaemonProcess(binary: cped);
        starts.Add((await ReadyTimeAsync(d)).TotalMilliseconds);
        if (i == 0)
        {
            await Task.Delay(2000);
            rssKb = d.ResidentKilobytes();
        }
        await d.StopAsync();
    }

    await using var daemon = new DaemonProcess(binary: cped);
    await daemon.StartAsync();
    var cli = new List<double>();
    for (int i = 0; i < CliRuns; i++)
    {
        var sw = Stopwatch.StartNew();
        var psi = new ProcessStartInfo(cpe, ["--socket", daemon.SocketPath, "-c", "show version"]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException("cpe failed");
        cli.Add(sw.Elapsed.TotalMilliseconds);
    }

    var api = await daemon.ConnectAsync("cpe");
    await api.EnterConfigAsync(false);
    var commits = new List<double>();
    for (int i = 0; i < Commits; i++)
    {
        await api.SetAsync(["system", "host-name", $"bench-{i % 2}"]);
        var sw = Stopwatch.StartNew();
        await api.CommitAsync(new CommitParams());
        commits.Add(sw.Elapsed.TotalMilliseconds);
    }
    long busyRssKb = daemon.ResidentKilobytes();
    await api.DisposeAsync();
    if (await daemon.StopAsync() != 0)
        Console.Error.WriteLine($"warning: {label} cped did not stop cleanly{(daemon.StopTimedOut ? " within 20 s of SIGTERM; it was killed" : "")}");

    return new JsonObject
    {
        ["cped_start_to_ready_ms"] = Median(starts),
        ["cped_idle_rss_mib"] = Math.Round(rssKb / 1024.0, 2),
        ["cped_rss_after_commits_mib"] = Math.Round(busyRssKb / 1024.0, 2),
        ["cpe_show_version_round_trip_ms"] = Median(cli),
        ["commit_latency_ms"] = Median(commits),
        ["commit_latency_p95_ms"] = Percentile(commits, 0.95),
    };
}

// The time from exec to the first answered API call, polling the socket as a client would.
static async Task<TimeSpan> ReadyTimeAsync(DaemonProcess d) => await d.StartAsync();

/// <summary>A part's report as JSON with the command that produced it, the date and the machine, written to PATH and printed.</summary>
static void WriteReport(string path, string command, params (string Key, JsonNode? Value)[] parts)
{
    var report = new JsonObject
    {
        ["command"] = command,
        ["date"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        ["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}",
    };
    foreach (var (key, value) in parts) report[key] = value;
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    File.WriteAllText(path, report.ToJsonString(Pretty) + "\n");
    Console.WriteLine(report.ToJsonString(Pretty));
}

static double Median(List<double> xs) => Percentile(xs, 0.5);
static double Percentile(List<double> xs, double q)
{
    var s = xs.Order().ToList();
    return Math.Round(s[(int)Math.Min(s.Count - 1, Math.Floor(q * s.Count))], 2);
}

partial class Program
{
    static readonly System.Text.Json.JsonSerializerOptions Pretty = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
