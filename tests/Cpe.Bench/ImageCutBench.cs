using System.Diagnostics;
using System.Text.Json.Nodes;
using Cpe.TestKit;

/// <summary>
/// The firmware image's power-cut run at bench length: the chain of updates the test cuts 20 times, cut N times in a
/// row (100 in ./build.sh bench), every cut's point and what the next boot found, and the time it took.
/// </summary>
static class ImageCutBench
{
    public static async Task<JsonObject> RunAsync(int cuts, int seed)
    {
        using var dir = new TempFolder("cpe-bench-cuts-");
        string served = Path.Combine(dir.Path, "served");
        Directory.CreateDirectory(served);
        foreach (var bundle in new[] { Binaries.FirmwareBundle("2.0.0"), FirmwareBuild.Padded("2.5.0"), FirmwareBuild.Padded("2.6.0") })
            File.CreateSymbolicLink(Path.Combine(served, Path.GetFileName(bundle)), bundle);
        using var server = new RangeFileServer(served);
        var chain = new PowerCutChain(ImageMachine.CopyImage(Binaries.FirmwareImage("1.0.0"), dir.Path), dir.Path, $"http://10.0.2.2:{server.Port}",
            ["2.0.0", "2.5.0", "2.6.0"], new Random(seed), Console.WriteLine);
        var clock = Stopwatch.StartNew();
        string? failure = null;
        SoftwareShown.Software? last = null;
        try { last = await chain.RunAsync(cuts); }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            failure = e.Message;
            Console.WriteLine(chain.Console);
        }
        finally { await chain.StopAsync(); }
        var perStage = new JsonObject();
        foreach (var group in chain.Cuts.GroupBy(c => c.Stage)) perStage[group.Key.ToString()] = group.Count();
        return new JsonObject
        {
            ["seed"] = seed,
            ["cuts_asked"] = cuts,
            ["cuts_recovered"] = chain.Cuts.Count,
            ["all_recovered"] = failure is null && chain.Cuts.Count == cuts,
            ["failure"] = failure,
            ["minutes"] = Math.Round(clock.Elapsed.TotalMinutes, 1),
            ["per_stage"] = perStage,
            ["final"] = last?.Text,
            ["cuts"] = new JsonArray([.. chain.Cuts.Select(c => (JsonNode)new JsonObject { ["n"] = c.Number, ["stage"] = c.Stage.ToString(), ["point"] = c.Point, ["outcome"] = c.Outcome })]),
        };
    }
}
