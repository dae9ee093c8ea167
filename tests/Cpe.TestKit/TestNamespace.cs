using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Cpe.TestKit;

/// <summary>
/// A network namespace with a unique name for one test, removed on dispose (and when the test fails).
/// iproute2 inside it is the independent reader tests compare our netlink code against.
/// </summary>
public sealed class TestNamespace : IDisposable
{
    readonly bool _owned = true;

    public string Name { get; } = "cpe-t-" + Guid.NewGuid().ToString("N")[..10];
    public string Path => "/run/netns/" + Name;

    public TestNamespace() => Run("ip", "netns", "add", Name);

    TestNamespace(string existing)
    {
        Name = existing;
        _owned = false;
    }

    /// <summary>A namespace someone else made and removes (the simulated board's LAN or WAN side); dispose leaves it.</summary>
    public static TestNamespace Existing(string name) => new(name);

    /// <summary>"ip -n NS -j ARGS", parsed.</summary>
    public JsonArray IpJson(params string[] args) =>
        JsonNode.Parse(Run("ip", ["-n", Name, "-j", .. args]))?.AsArray() ?? [];

    public string Ip(params string[] args) => Run("ip", ["-n", Name, .. args]);

    /// <summary>"bridge -j ARGS" inside the namespace, parsed.</summary>
    public JsonArray BridgeJson(params string[] args) =>
        JsonNode.Parse(Run("ip", ["netns", "exec", Name, "bridge", "-j", .. args]))?.AsArray() ?? [];

    public static string Run(string file, params string[] args) => Command.Run(file, args);

    public void Dispose()
    {
        if (!_owned) return;
        try { Run("ip", "netns", "del", Name); } catch (InvalidOperationException) { }
    }
}
