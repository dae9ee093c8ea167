using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Cpe.Config;
using Cpe.Vnf.Chains;
using Cpe.Vnf.Packages;

namespace Cpe.Vnf.Placement;

/// <summary>A configured VNF (docs/reference/vnf-configuration.md); overrides are null where the package decides.</summary>
public sealed record VnfSpec(string Name, string Package, int Replicas, bool Up, double? Cpus, long? MemoryBytes, IReadOnlyList<string> Environment)
{
    /// <summary>Replica K of VNF NAME runs as instance "NAME-K".</summary>
    public IEnumerable<string> Instances => Enumerable.Range(0, Replicas).Select(k => $"{Name}-{k}");
}

public sealed record ChainSpec(string Name, string Ingress, string Egress, IReadOnlyList<string> Hops, BypassPolicy Bypass, ChainClassifier Classifier)
{
    public string MatchText =>
        Classifier.Dscp.Count == 0 && Classifier.Flow is null ? "all" : string.Join(" ", new[]
        {
            Classifier.Dscp.Count > 0 ? "dscp " + string.Join(",", Classifier.Dscp) : null,
            Classifier.Flow?.Protocol is byte p ? $"protocol {ProtocolName(p)}" : null,
            Classifier.Flow?.Source is { } s ? $"source {s}" : null,
            Classifier.Flow?.Destination is { } d ? $"destination {d}" : null,
            Classifier.Flow?.SourcePort is ushort sp ? $"source-port {sp}" : null,
            Classifier.Flow?.DestinationPort is ushort dp ? $"destination-port {dp}" : null,
        }.Where(x => x is not null));

    static string ProtocolName(byte p) => p switch { 6 => "tcp", 17 => "udp", 1 => "icmp", _ => p.ToString(CultureInfo.InvariantCulture) };
}

/// <summary>The "vnfs" and "chains" sections of a configuration, read into records (the schema has checked each value).</summary>
public sealed record VnfPlan(IReadOnlyList<VnfSpec> Vnfs, IReadOnlyList<ChainSpec> Chains)
{
    public static VnfPlan From(JsonObject config)
    {
        var vnfs = Entries(config["vnfs"]?["vnf"]).Select(v => new VnfSpec(
            Name(v),
            v["package"]!.GetValue<string>(),
            v["replicas"] is JsonNode r ? (int)r.GetValue<long>() : 1,
            v["admin-state"]?.GetValue<string>() != "down",
            v["cpus"] is JsonNode c ? double.Parse(c.GetValue<string>(), CultureInfo.InvariantCulture) : null,
            v["memory"] is JsonNode m ? VnfDescriptor.ParseSize(m.GetValue<string>(), "memory", 4L << 20) : null,
            Strings(v["environment"]))).ToList();
        var chains = Entries(config["chains"]?["chain"]).Select(c => new ChainSpec(
            Name(c),
            c["ingress"]!.GetValue<string>(),
            c["egress"]!.GetValue<string>(),
            Strings(c["hop"]),
            c["bypass"]?.GetValue<string>() == "fail-open" ? BypassPolicy.FailOpen : BypassPolicy.FailClosed,
            Classifier(c["match"] as JsonObject))).ToList();
        return new VnfPlan(vnfs, chains);
    }

    static IEnumerable<JsonObject> Entries(JsonNode? list) => list is JsonArray a ? a.OfType<JsonObject>() : [];

    static string Name(JsonObject entry) => entry[Cpe.Config.Schema.ListNode.KeyMember]!.GetValue<string>();

    static List<string> Strings(JsonNode? list) => list is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : [];

    static ChainClassifier Classifier(JsonObject? m)
    {
        if (m is null) return ChainClassifier.Everything;
        var dscp = m["dscp"] is JsonArray d ? d.Select(x => (int)x!.GetValue<long>()).ToList() : [];
        byte? protocol = m["protocol"]?.GetValue<string>() switch { "tcp" => 6, "udp" => 17, "icmp" => 1, _ => null };
        IPNetwork? Prefix(string key) => m[key] is JsonNode p ? IPNetwork.Parse(p.GetValue<string>()) : null;
        ushort? Port(string key) => m[key] is JsonNode p ? (ushort)p.GetValue<long>() : null;
        var flow = new FlowRule(protocol, Prefix("source-prefix"), Prefix("destination-prefix"), Port("source-port"), Port("destination-port"));
        bool any = flow.Protocol is not null || flow.Source is not null || flow.Destination is not null || flow.HasPorts;
        return new ChainClassifier(dscp, any ? flow : null);
    }

    /// <summary>Rules between VNFs and chains the schema cannot state (no package or box needed): errors with their paths.</summary>
    public IEnumerable<ConfigError> Conflicts()
    {
        var names = Vnfs.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var usedBy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var c in Chains)
        {
            string path = $"chains chain {c.Name}";
            if (c.Hops.Count == 0) yield return new ConfigError($"{path} hop", "a chain needs at least one hop");
            if (c.Ingress == c.Egress) yield return new ConfigError($"{path} egress", $"is the ingress port too; a chain runs between two ports");
            if (c.Classifier.Flow is { HasPorts: true, Protocol: not (6 or 17) })
                yield return new ConfigError($"{path} match", "source-port and destination-port need protocol tcp or udp");
            foreach (var hop in c.Hops)
            {
                if (!names.Contains(hop)) yield return new ConfigError($"{path} hop", $"VNF '{hop}' is not configured under vnfs");
                else if (usedBy.TryGetValue(hop, out var other)) yield return new ConfigError($"{path} hop", $"VNF '{hop}' is already a hop of chain {other}; a VNF serves one chain hop");
                else usedBy[hop] = c.Name;
            }
        }
    }
}
