using System.Diagnostics;
using System.Text.Json.Nodes;
using Cpe.Api;
using Cpe.TestKit;

/// <summary>
/// cped's API while its VNFs misbehave (docs/benchmarks.md): the latency of a status call (config.status) idle, then
/// while a fork-bomb VNF runs into its pids limit and a memory-hog VNF into its memory limit, over and over.
/// </summary>
static class VnfAttackBench
{
    const int Calls = 2000;

    public static async Task<JsonObject> RunAsync()
    {
        try { return await MeasureUnderAttackAsync(); }
        finally { VnfBench.RemoveCgroupParent(); }
    }

    static async Task<JsonObject> MeasureUnderAttackAsync()
    {
        await using var lab = new ChainLab("/cpe-bench");
        using var dir = new TempFolder("cpe-bench-attack-");
        await lab.StartCpedAsync();
        // A shell function that forks two of itself forever; a string doubled until the memory limit kills the shell.
        string bomb = BusyboxPackage.Build(dir.Path, "forkbomb", "f() { f & f & wait; }; f", new Dictionary<string, string> { ["org.cpe.vnf.pids"] = "64", ["org.cpe.vnf.cpus"] = "0.5" });
        string hog = BusyboxPackage.Build(dir.Path, "memhog", "x=0123456789; while true; do x=$x$x; done", new Dictionary<string, string> { ["org.cpe.vnf.memory"] = "64M", ["org.cpe.vnf.cpus"] = "0.5" });
        foreach (var p in new[] { bomb, hog }) BusyboxPackage.Sign(p);

        await using var api = await lab.Cped.ConnectAsync("bench");
        var idle = await MeasureAsync(api);
        var added = await lab.Cli($"request vnf package add {bomb}; request vnf package add {hog}; configure; "
            + "set vnfs vnf bomb package forkbomb; set vnfs vnf hog package memhog; commit");
        if (!added.Output.Contains("commit complete")) throw new InvalidOperationException(added.Output + added.Error);
        // The attack is on once the bomb has hit its limit and the hog has been killed by its own at least once.
        string pidsEvents = Path.Combine("/sys/fs/cgroup/pids", lab.CgroupParent.TrimStart('/'), "bomb-0", "pids.events");
        var until = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < until && !(File.Exists(pidsEvents) && File.ReadAllText(pidsEvents).Trim() != "max 0"
                   && (await api.VnfsAsync("hog")).Single().Restarts > 0))
            await Task.Delay(100);
        var attack = await MeasureAsync(api);
        var vnfs = await api.VnfsAsync();
        return new JsonObject
        {
            ["call"] = "config.status over the API socket, one connection, sequential",
            ["calls"] = Calls,
            ["idle"] = idle,
            ["attack"] = attack,
            ["p99_ratio_attack_to_idle"] = Math.Round(attack["p99_ms"]!.GetValue<double>() / idle["p99_ms"]!.GetValue<double>(), 2),
            ["fork_bomb_pids_events"] = File.Exists(pidsEvents) ? File.ReadAllText(pidsEvents).Trim() : "none",
            ["memory_hog_restarts"] = vnfs.Single(v => v.Vnf == "hog").Restarts,
            ["memory_hog_last_exit"] = vnfs.Single(v => v.Vnf == "hog").LastExit,
        };
    }

    static async Task<JsonObject> MeasureAsync(ApiClient api)
    {
        var ms = new double[Calls];
        for (int i = 0; i < Calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await api.ConfigStatusAsync();
            ms[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(ms);
        return new JsonObject
        {
            ["p50_ms"] = Math.Round(ms[Calls / 2], 3),
            ["p99_ms"] = Math.Round(ms[Calls * 99 / 100], 3),
            ["max_ms"] = Math.Round(ms[^1], 3),
        };
    }
}
