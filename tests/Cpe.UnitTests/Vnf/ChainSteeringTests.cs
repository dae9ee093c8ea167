using System.Net;
using Cpe.Netlink.NfTables;
using Cpe.Vnf.Chains;

namespace Cpe.UnitTests.Vnf;

/// <summary>The nftables table a chain becomes: base chains per device, dispatch by symmetric hash, bypass policies.</summary>
[Trait("Kind", "Unit")]
public sealed class ChainSteeringTests
{
    static readonly byte[] NatMac = [2, 0, 0, 0, 0, 9];

    static HopReplica Replica(string instance, int index, bool running = true) =>
        new(instance, $"{instance}.in", index, $"{instance}.out", index + 1, instance == "nat-0" ? NatMac : [2, 0, 0, 0, 0, (byte)index], running);

    static ServiceChain Chain(BypassPolicy bypass = BypassPolicy.FailClosed, ChainClassifier? classifier = null, bool fw0 = true, bool fw1 = true) =>
        new("inet", "lan1", 1, "wan0", 2, classifier ?? ChainClassifier.Everything,
            [new ChainHop("fw", [Replica("fw-0", 10, fw0), Replica("fw-1", 20, fw1)]), new ChainHop("nat", [Replica("nat-0", 30)])], bypass);

    static NftChain Named(NftTable t, string name) => t.Chains.Single(c => c.Name == name);

    static int ForwardTarget(NftRule rule) =>
        BitConverter.ToInt32(rule.Expressions.OfType<NftImmediate>().Single().Value);

    [Fact]
    public void Every_device_of_the_chain_gets_a_base_chain_on_its_ingress_hook_and_each_hop_side_leads_on()
    {
        var table = ChainSteering.Build([Chain()]);
        Assert.Equal(ChainSteering.Table, table.Name);
        Assert.Equal(["lan1", "fw-0.out", "fw-0.in", "fw-1.out", "fw-1.in", "nat-0.out", "nat-0.in", "wan0"],
            table.Chains.Where(c => c.IngressDevice is not null).Select(c => c.IngressDevice));
        Assert.Equal(NftVerdict.Jump("inet>1"), Named(table, "in-lan1").Rules.Single().Expressions.Last());
        Assert.Equal(NftVerdict.Jump("inet>2"), Named(table, "in-fw-1.out").Rules.Single().Expressions.Single());
        Assert.Equal(NftVerdict.Jump("inet<1"), Named(table, "in-nat-0.in").Rules.Single().Expressions.Single());
        Assert.Equal(NftVerdict.Jump("inet<0"), Named(table, "in-fw-0.in").Rules.Single().Expressions.Single());
        // Past either end: out of the chain's ports.
        Assert.Equal(2, ForwardTarget(Named(table, "inet>3").Rules.Single()));
        Assert.Equal(1, ForwardTarget(Named(table, "inet<0").Rules.Single()));
    }

    [Fact]
    public void A_side_where_the_chain_meets_its_port_through_VFs_is_left_to_the_NIC()
    {
        // The NAT's outside is a VF of the egress port: no return rules there, nothing out of the NAT's egress side.
        var table = ChainSteering.Build([Chain() with { EgressByNic = true }]);
        Assert.Equal(["lan1", "fw-0.out", "fw-0.in", "fw-1.out", "fw-1.in", "nat-0.in"],
            table.Chains.Where(c => c.IngressDevice is not null).Select(c => c.IngressDevice));
        Assert.DoesNotContain(table.Chains, c => c.Name is "inet>3" or "inet<2");
        Assert.Equal(NftVerdict.Jump("inet<1"), Named(table, "in-nat-0.in").Rules.Single().Expressions.Single());

        // Both sides VFs of the ports (a one-hop chain): the host steers nothing at all.
        var direct = ChainSteering.Build([new ServiceChain("edge", "lan1", 1, "wan0", 2, ChainClassifier.Everything,
            [new ChainHop("rt", [new HopReplica("rt-0", "", 0, "", 0, NatMac, true)])], BypassPolicy.FailClosed, IngressByNic: true, EgressByNic: true)]);
        Assert.Empty(direct.Chains);
    }

    [Fact]
    public void Replicas_are_chosen_by_symmetric_hash_and_a_stopped_replica_s_bucket_goes_to_a_running_one()
    {
        var both = Named(ChainSteering.Build([Chain()]), "inet>1").Rules;
        Assert.Equal(2, both.Count);
        Assert.All(both, r => Assert.Equal(2u, r.Expressions.OfType<NftSymmetricHash>().Single().Modulus));
        Assert.Equal([10, 20], both.Select(ForwardTarget));
        // The reverse direction uses the same buckets, into the egress sides.
        Assert.Equal([11, 21], Named(ChainSteering.Build([Chain()]), "inet<1").Rules.Select(ForwardTarget));

        var one = Named(ChainSteering.Build([Chain(fw0: false)]), "inet>1").Rules;
        Assert.Equal([20, 20], one.Select(ForwardTarget));
    }

    [Theory]
    [InlineData(BypassPolicy.FailOpen)]
    [InlineData(BypassPolicy.FailClosed)]
    public void A_hop_with_no_replica_running_is_skipped_or_drops(BypassPolicy bypass)
    {
        var table = ChainSteering.Build([Chain(bypass, fw0: false, fw1: false)]);
        var forward = Named(table, "inet>1").Rules.Single().Expressions.Last();
        var back = Named(table, "inet<1").Rules.Single().Expressions.Last();
        if (bypass == BypassPolicy.FailOpen)
        {
            Assert.Equal(NftVerdict.Jump("inet>2"), forward);
            Assert.Equal(NftVerdict.Jump("inet<0"), back);
        }
        else
        {
            Assert.Equal(NftVerdict.Drop, forward);
            Assert.Equal(NftVerdict.Drop, back);
        }
    }

    [Fact]
    public void Return_traffic_on_the_egress_port_goes_to_the_last_hop_by_its_MAC_and_broadcasts_are_copied()
    {
        var rules = Named(ChainSteering.Build([Chain()]), "in-wan0").Rules;
        Assert.Equal(2, rules.Count);
        Assert.IsType<NftDuplicate>(rules[0].Expressions.Last());
        Assert.Equal([1], rules[0].Expressions.OfType<NftCompare>().Single().Value);
        Assert.Equal(NatMac, rules[1].Expressions.OfType<NftCompare>().Single().Value);
        Assert.Equal(31, ForwardTarget(rules[1]));
    }

    [Fact]
    public void A_DSCP_list_gives_one_classifying_rule_per_value_each_with_the_5_tuple()
    {
        var flow = new FlowRule(6, IPNetwork.Parse("192.168.0.0/16"), null, null, 443);
        var rules = Named(ChainSteering.Build([Chain(classifier: new ChainClassifier([10, 46], flow))]), "in-lan1").Rules;
        Assert.Equal(2, rules.Count);
        foreach (var (rule, dscp) in rules.Zip(new[] { 10, 46 }))
        {
            var compares = rule.Expressions.OfType<NftCompare>().Select(c => Convert.ToHexString(c.Value)).ToList();
            Assert.Contains(Convert.ToHexString([(byte)(dscp << 2)]), compares);   // DSCP in the TOS byte's upper six bits
            Assert.Contains("C0A80000", compares);                                  // the masked source prefix
            Assert.Contains("06", compares);                                        // TCP
            Assert.Contains("01BB", compares);                                      // port 443, network order
            Assert.Equal(NftVerdict.Jump("inet>1"), rule.Expressions.Last());
        }
    }
}
