using System.Text.Json.Nodes;

namespace Cpe.TestKit;

/// <summary>
/// The simulated board's network for one test, made and removed with the real "cpe-sim net up/down"
/// command under a unique name; removed on dispose, also when the test fails.
/// </summary>
public sealed class SimBoard : IDisposable
{
    public string Name { get; } = "cs" + Guid.NewGuid().ToString("N")[..8];
    public string Directory { get; }
    public string Box => Name + "-box";
    public string Lan => Name + "-lan";
    public string Wan => Name + "-wan";
    public string ProfilePath => Path.Combine(Directory, "board.json");
    public string SysfsRoot => Path.Combine(Directory, "sys");

    public SimBoard(int lanPorts = 3, int totalVfs = 7, IEnumerable<string>? sztpUrls = null, string? sztpSrv = null, IEnumerable<string>? dnsRecords = null, bool pfPort = false)
    {
        Directory = Path.Combine(Path.GetTempPath(), "cpe-sim-" + Name);
        var args = new List<string> { "net", "up", "--name", Name, "--dir", Directory, "--lan-ports", $"{lanPorts}", "--total-vfs", $"{totalVfs}" };
        foreach (var url in sztpUrls ?? []) args.AddRange(["--sztp-url", url]);
        if (sztpSrv is not null) args.AddRange(["--sztp-srv", sztpSrv]);
        foreach (var record in dnsRecords ?? []) args.AddRange(["--dns-rr", record]);
        if (pfPort) args.Add("--pf-port");
        try { Command.Run(Binaries.SimBoard, args); }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>"ip -n BOX -j ARGS", parsed: iproute2 as the independent reader.</summary>
    public JsonArray IpJson(params string[] args) => JsonNode.Parse(Command.Run("ip", ["-n", Box, "-j", .. args]))?.AsArray() ?? [];

    public string Ip(params string[] args) => Command.Run("ip", ["-n", Box, .. args]);

    /// <summary>A file of the box's own sysfs (ip netns exec mounts the namespace's sysfs).</summary>
    public string BoxSysfs(string path) => Command.Run("ip", ["netns", "exec", Box, "cat", path]).Trim();

    public void Dispose() => Command.Run(Binaries.SimBoard, ["net", "down", "--name", Name, "--dir", Directory], check: false);
}
