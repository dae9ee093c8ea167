using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Cpe.Config;
using Cpe.Config.Schema;
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
    /// <summary>Reads the sections of a validated tree through the schema's nodes (their names and defaults are written there only).</summary>
    public static VnfPlan From(JsonObject config)
    {
        var vnfs = VnfSchema.Vnf.List.Entries(VnfSchema.Vnfs.In(config)).Select(v => new VnfSpec(
            ListNode.Key(v),
            VnfSchema.Vnf.Package.Text(v)!,
            (int)VnfSchema.Vnf.Replicas.Integer(v)!.Value,
            VnfSchema.Vnf.AdminState.Text(v) != "down",
            VnfSchema.Vnf.Cpus.Text(v) is string c ? double.Parse(c, CultureInfo.InvariantCulture) : null,
            VnfSchema.Vnf.Memory.Text(v) is string m ? VnfDescriptor.ParseSize(m, "memory", 4L << 20) : null,
            VnfSchema.Vnf.Environment.Texts(v).ToList())).ToList();
        var chains = VnfSchema.Chain.List.Entries(VnfSchema.Chains.In(config)).Select(c => new ChainSpec(
            ListNode.Key(c),
            VnfSchema.Chain.Ingress.Text(c)!,
            VnfSchema.Chain.Egress.Text(c)!,
            VnfSchema.Chain.Hop.Texts(c).ToList(),
            VnfSchema.Chain.Bypass.Text(c) == "fail-open" ? BypassPolicy.FailOpen : BypassPolicy.FailClosed,
            Classifier(VnfSchema.Match.Container.In(c)))).ToList();
        return new VnfPlan(vnfs, chains);
    }

    static ChainClassifier Classifier(JsonObject? m)
    {
        if (m is null) return ChainClassifier.Everything;
        var dscp = VnfSchema.Match.Dscp.Integers(m).Select(x => (int)x).ToList();
        byte? protocol = VnfSchema.Match.Protocol.Text(m) switch { "tcp" => 6, "udp" => 17, "icmp" => 1, _ => null };
        static IPNetwork? Prefix(LeafNode leaf, JsonObject m) => leaf.Text(m) is string p ? IPNetwork.Parse(p) : null;
        static ushort? Port(LeafNode leaf, JsonObject m) => leaf.Integer(m) is long p ? (ushort)p : null;
        var flow = new FlowRule(protocol, Prefix(VnfSchema.Match.SourcePrefix, m), Prefix(VnfSchema.Match.DestinationPrefix, m),
            Port(VnfSchema.Match.SourcePort, m), Port(VnfSchema.Match.DestinationPort, m));
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
