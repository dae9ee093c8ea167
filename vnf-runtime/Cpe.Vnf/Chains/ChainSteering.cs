using Cpe.Netlink.NfTables;

namespace Cpe.Vnf.Chains;

/// <summary>
/// Turns the box's service chains into one nftables netdev table (docs/reference/service-chains.md). Every device a
/// chain touches gets a base chain on its ingress hook; frames go from device to device with "fwd", never through the
/// bridge or the routing table:
/// <list type="bullet">
/// <item>ingress port: classified frames jump to "NAME>1", the way into hop 1;</item>
/// <item>hop K's egress side: every frame jumps to "NAME>K+1" (the egress port after the last hop);</item>
/// <item>egress port: frames addressed to a last-hop replica's MAC go to it; broadcasts are copied to each;</item>
/// <item>hop K's ingress side: every frame jumps to "NAME&lt;K-1", the way back (the ingress port before hop 1).</item>
/// </list>
/// "NAME>K" picks hop K's replica by symhash mod the replica count, the same bucket in both directions of a flow. A
/// stopped replica's bucket goes to a running one, so the other buckets' flows stay where they are; a hop with no
/// replica running is skipped (fail-open) or drops (fail-closed).
/// A side where the chain meets its port through SR-IOV VFs (<see cref="ServiceChain.IngressByNic"/>,
/// <see cref="ServiceChain.EgressByNic"/>) has no rules at all: the NIC sorts the port's frames to the VFs by MAC.
/// </summary>
public static class ChainSteering
{
    public const string Table = "cpe-chains";

    public static NftTable Build(IReadOnlyList<ServiceChain> chains)
    {
        var bases = new Dictionary<string, List<NftRule>>(StringComparer.Ordinal);
        List<NftRule> Base(string device) => bases.TryGetValue(device, out var rules) ? rules : bases[device] = [];
        var dispatch = new List<NftChain>();
        foreach (var chain in chains)
        {
            int n = chain.Hops.Count;
            bool viaIngress = !chain.IngressByNic, viaEgress = !chain.EgressByNic;
            if (viaIngress)
                foreach (var match in Classify(chain.Classifier))
                    Base(chain.IngressDevice).Add(new NftRule([.. match, NftVerdict.Jump(Forward(chain, 1))], $"{chain.Name}: classified into the chain"));
            for (int k = 1; k <= n; k++)
            {
                foreach (var r in chain.Hops[k - 1].Replicas)
                {
                    if (k < n || viaEgress) Base(r.OutDevice).Add(new NftRule([NftVerdict.Jump(Forward(chain, k + 1))], $"{chain.Name}: out of {r.Instance}"));
                    if (k > 1 || viaIngress) Base(r.InDevice).Add(new NftRule([NftVerdict.Jump(Backward(chain, k - 1))], $"{chain.Name}: back out of {r.Instance}"));
                }
            }
            if (n > 0 && viaEgress) Base(chain.EgressDevice).AddRange(ReturnRules(chain));
            for (int k = viaIngress ? 1 : 2; k <= (viaEgress ? n + 1 : n); k++) dispatch.Add(new NftChain(Forward(chain, k), Into(chain, k, forward: true)));
            for (int k = viaIngress ? 0 : 1; k <= (viaEgress ? n : n - 1); k++) dispatch.Add(new NftChain(Backward(chain, k), Into(chain, k, forward: false)));
        }
        var all = bases.Select(b => new NftChain("in-" + b.Key, b.Value, IngressDevice: b.Key)).ToList();
        all.AddRange(dispatch);
        return new NftTable(Table, all);
    }

    static string Forward(ServiceChain chain, int hop) => $"{chain.Name}>{hop}";

    static string Backward(ServiceChain chain, int hop) => $"{chain.Name}<{hop}";

    /// <summary>One expression list per rule; the rules are alternatives (one per DSCP value listed).</summary>
    static IEnumerable<List<NftExpression>> Classify(ChainClassifier c)
    {
        var flow = Flow(c.Flow).ToList();
        if (c.Dscp.Count == 0) return [flow];
        return c.Dscp.Select(d => NftMatch.Dscp(d).Concat(flow).ToList());
    }

    static IEnumerable<NftExpression> Flow(FlowRule? f)
    {
        if (f is null) yield break;
        if (f.Source is { } s) foreach (var e in NftMatch.Source(s)) yield return e;
        if (f.Destination is { } d) foreach (var e in NftMatch.Destination(d)) yield return e;
        if (f.Protocol is byte p) foreach (var e in NftMatch.Protocol(p)) yield return e;
        if (f.SourcePort is ushort sp) foreach (var e in NftMatch.SourcePort(sp)) yield return e;
        if (f.DestinationPort is ushort dp) foreach (var e in NftMatch.DestinationPort(dp)) yield return e;
    }

    /// <summary>
    /// The rules of "NAME>K" (<paramref name="forward"/>) or "NAME&lt;K": into hop K's replica for the flow, or out of
    /// the chain's port when K is past either end.
    /// </summary>
    static List<NftRule> Into(ServiceChain chain, int k, bool forward)
    {
        int n = chain.Hops.Count;
        if (forward && k == n + 1) return [new NftRule([.. NftMatch.ForwardTo(chain.EgressIndex)], $"{chain.Name}: to the egress port")];
        if (!forward && k == 0) return [new NftRule([.. NftMatch.ForwardTo(chain.IngressIndex)], $"{chain.Name}: to the ingress port")];
        var hop = chain.Hops[k - 1];
        var running = hop.Replicas.Where(r => r.Running).ToList();
        if (running.Count == 0)
            return chain.Bypass == BypassPolicy.FailOpen
                ? [new NftRule([new NftCounter(), NftVerdict.Jump(forward ? Forward(chain, k + 1) : Backward(chain, k - 1))], $"{chain.Name}: {hop.Vnf} is down, bypassed (fail-open)")]
                : [new NftRule([new NftCounter(), NftVerdict.Drop], $"{chain.Name}: {hop.Vnf} is down, dropped (fail-closed)")];
        int Device(HopReplica r) => forward ? r.InIndex : r.OutIndex;
        if (hop.Replicas.Count == 1) return [new NftRule([.. NftMatch.ForwardTo(Device(running[0]))], $"{chain.Name}: {running[0].Instance}")];
        var rules = new List<NftRule>();
        for (int bucket = 0; bucket < hop.Replicas.Count; bucket++)
        {
            var target = hop.Replicas[bucket].Running ? hop.Replicas[bucket] : running[bucket % running.Count];
            rules.Add(new NftRule([.. NftMatch.HashBucket(bucket, hop.Replicas.Count), .. NftMatch.ForwardTo(Device(target))],
                $"{chain.Name}: flows of bucket {bucket} to {target.Instance}"));
        }
        return rules;
    }

    /// <summary>Return traffic on the egress port: to the last hop's replica that owns the destination MAC; broadcasts copied to each.</summary>
    static IEnumerable<NftRule> ReturnRules(ServiceChain chain)
    {
        var last = chain.Hops[^1];
        foreach (var r in last.Replicas.Where(r => r.Running))
            yield return new NftRule([.. NftMatch.EtherGroup(), .. NftMatch.CopyTo(r.OutIndex)], $"{chain.Name}: broadcast copied to {r.Instance}");
        foreach (var r in last.Replicas)
            yield return r.Running
                ? new NftRule([.. NftMatch.EtherDestination(r.OutMac), .. NftMatch.ForwardTo(r.OutIndex)], $"{chain.Name}: return traffic to {r.Instance}")
                : new NftRule([.. NftMatch.EtherDestination(r.OutMac), NftVerdict.Jump(Backward(chain, chain.Hops.Count))], $"{chain.Name}: return traffic for {r.Instance}, which is down");
    }
}
