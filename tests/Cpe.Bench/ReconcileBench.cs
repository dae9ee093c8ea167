using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Cpe.Board.Profile;
using Cpe.Netlink;
using Cpe.Network.Reconcile;
using Cpe.Network.Sriov;
using Cpe.TestKit;

/// <summary>
/// The network reconciler against a shell script of ip commands making the same changes, in the same
/// run and the same kind of namespace: 1 bridge with 32 ports, 64 emulated VFs with their MACs.
/// </summary>
static class ReconcileBench
{
    const int Ports = 32, Vfs = 64, Rounds = 7;

    public static async Task RunAsync(string outPath, string command)
    {
        using var ns = new TestNamespace();
        string root = Directory.CreateTempSubdirectory("cpe-bench-sys-").FullName;
        try
        {
            var profile = Setup(ns, root);
            using var rtnl = RouteNetlink.OpenIn(ns.Path);
            var sriov = new EmulatedSriovDriver(rtnl, root);
            var reconciler = new NetworkReconciler(new NetlinkNetworkKernel(rtnl), profile, sriov);
            var full = FullConfig();
            var empty = new JsonObject();

            var fullMs = new List<double>();
            var noopMs = new List<double>();
            long fullWrites = 0, fullRequests = 0, fullFiles = 0, noopWrites = 0, noopRequests = 0;
            int steps = 0;
            for (int round = 0; round <= Rounds; round++)   // round 0 warms the JIT and is not counted
            {
                reconciler.Reconcile(empty);
                long requests = rtnl.Socket.Requests;
                var sw = Stopwatch.StartNew();
                var result = reconciler.Reconcile(full);
                double ms = sw.Elapsed.TotalMilliseconds;
                fullRequests = rtnl.Socket.Requests - requests;
                (fullWrites, fullFiles, steps) = (result.NetlinkWrites, result.FileWrites, result.Applied.Count);

                requests = rtnl.Socket.Requests;
                sw.Restart();
                var noop = reconciler.Reconcile(full);
                double noopTime = sw.Elapsed.TotalMilliseconds;
                noopRequests = rtnl.Socket.Requests - requests;
                noopWrites = noop.NetlinkWrites + noop.FileWrites;
                if (round > 0) { fullMs.Add(ms); noopMs.Add(noopTime); }
            }
            reconciler.Reconcile(empty);

            string script = Path.Combine(root, "reconcile.sh");
            File.WriteAllText(script, Script(root));
            int ipCommands = File.ReadAllLines(script).Count(l => l.StartsWith("ip ", StringComparison.Ordinal));
            var scriptMs = new List<double>();
            for (int round = 0; round <= Rounds; round++)
            {
                var sw = Stopwatch.StartNew();
                Command.Run("ip", ["netns", "exec", ns.Name, "sh", "-e", script]);
                if (round > 0) scriptMs.Add(sw.Elapsed.TotalMilliseconds);
                Command.Run("ip", ["netns", "exec", ns.Name, "sh", "-c", Teardown(root)]);
            }

            double ours = Median(fullMs), theirs = Median(scriptMs);
            var report = new JsonObject
            {
                ["command"] = command,
                ["date"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                ["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}",
                ["method"] = $"medians of {Rounds} rounds after a warm-up, in one network namespace: from nothing to 1 bridge with {Ports} veth ports "
                    + $"(alias, master, up) and {Vfs} emulated VFs (macvlan, MAC) with the bridge up; the reconciler in-process (JIT) against "
                    + "a sh script of one ip command per change (plus the sysfs write), each torn down between rounds",
                ["reconciler"] = new JsonObject
                {
                    ["full_ms"] = ours,
                    ["full_steps"] = steps,
                    ["full_netlink_requests"] = fullRequests,
                    ["full_netlink_writes"] = fullWrites,
                    ["full_sysfs_writes"] = fullFiles,
                    ["noop_ms"] = Median(noopMs),
                    ["noop_netlink_requests"] = noopRequests,
                    ["noop_writes"] = noopWrites,
                },
                ["ip_script"] = new JsonObject { ["full_ms"] = theirs, ["ip_commands"] = ipCommands },
                ["ratio_script_over_reconciler"] = Math.Round(theirs / ours, 1),
                ["goal_ratio"] = 10,
            };
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
            var pretty = new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            await File.WriteAllTextAsync(outPath, report.ToJsonString(pretty) + "\n");
            Console.WriteLine(report.ToJsonString(pretty));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    static NetworkProfile Setup(TestNamespace ns, string root)
    {
        var batch = new StringBuilder();
        for (int p = 0; p < Ports; p++) batch.Append(CultureInfo.InvariantCulture, $"link add p{p} type veth peer name q{p}\nlink set q{p} up\n");
        batch.Append("link add sriov0 type veth peer name sriov0p\nlink set sriov0 up\nlink set sriov0p up\n");
        string file = Path.Combine(root, "setup.batch");
        File.WriteAllText(file, batch.ToString());
        ns.Ip("-batch", file);
        string device = Path.Combine(root, "class", "net", "sriov0", "device");
        Directory.CreateDirectory(device);
        File.WriteAllText(Path.Combine(device, "sriov_totalvfs"), $"{Vfs}");
        File.WriteAllText(Path.Combine(device, "sriov_numvfs"), "0");
        return new NetworkProfile("bench", Enumerable.Range(0, Ports).Select(p => new FrontPort($"ge-0/0/{p}", $"p{p}")).ToList(),
            new SriovProfile("emulated", root, [new PhysicalFunction("sriov0")]));
    }

    static string Mac(int vf) => $"02:00:00:00:{vf >> 8:x2}:{vf & 0xff:x2}";

    static JsonObject FullConfig() => new()
    {
        ["bridges"] = new JsonObject
        {
            ["bridge"] = new JsonArray(new JsonObject
            {
                ["name"] = "lan",
                ["interface"] = new JsonArray(Enumerable.Range(0, Ports).Select(p => (JsonNode)new JsonObject { ["name"] = $"ge-0/0/{p}" }).ToArray()),
            })
        },
        ["sriov"] = new JsonObject
        {
            ["pf"] = new JsonArray(new JsonObject
            {
                ["name"] = "sriov0",
                ["vf-count"] = Vfs,
                ["vf"] = new JsonArray(Enumerable.Range(0, Vfs).Select(v => (JsonNode)new JsonObject { ["name"] = $"{v}", ["mac"] = Mac(v) }).ToArray()),
            })
        },
    };

    /// <summary>What a technician's script would run for the same end state: one ip command per change.</summary>
    static string Script(string root)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"echo {Vfs} > {root}/class/net/sriov0/device/sriov_numvfs\n");
        for (int v = 0; v < Vfs; v++)
            sb.Append(CultureInfo.InvariantCulture, $"ip link add sriov0v{v} link sriov0 type macvlan mode bridge\nip link set sriov0v{v} address {Mac(v)}\n");
        sb.Append("ip link add br-lan type bridge\nip link set br-lan alias cpe:\n");
        for (int p = 0; p < Ports; p++) sb.Append(CultureInfo.InvariantCulture, $"ip link set p{p} alias cpe:\nip link set p{p} master br-lan\nip link set p{p} up\n");
        sb.Append("ip link set br-lan up\n");
        return sb.ToString();
    }

    static string Teardown(string root) =>
        $"ip link del br-lan; for v in $(seq 0 {Vfs - 1}); do ip link del sriov0v$v; done; "
        + $"for p in $(seq 0 {Ports - 1}); do ip link set p$p down; ip link set p$p alias ''; done; echo 0 > {root}/class/net/sriov0/device/sriov_numvfs";

    static double Median(List<double> xs) => Math.Round(xs.Order().ElementAt(xs.Count / 2), 2);
}
