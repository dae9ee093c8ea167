using Cpe.Netlink;
using Cpe.Netlink.NfTables;
using Cpe.TestKit;
using Cpe.Vnf.Chains;

namespace Cpe.IntegrationTests.Network;

/// <summary>
/// Our nf_tables client against the kernel, with nft as the independent reader: a service chain's table as nft lists
/// it, replaced whole in one transaction, a refused batch that changes nothing, and removal.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class NfTablesTests : IDisposable
{
    readonly TestNamespace _ns = new();
    readonly Xunit.Abstractions.ITestOutputHelper _output;

    public NfTablesTests(Xunit.Abstractions.ITestOutputHelper output)
    {
        _output = output;
        foreach (var (a, b) in new[] { ("lan1", "lanp"), ("wan0", "wanp"), ("vin", "vinp"), ("vout", "voutp") })
        {
            _ns.Ip("link", "add", a, "type", "veth", "peer", "name", b);
            _ns.Ip("link", "set", a, "up");
        }
    }

    int Index(string device) => (int)_ns.IpJson("link", "show", device).Single()!["ifindex"]!.GetValue<long>();

    ServiceChain Chain(BypassPolicy bypass, bool running) =>
        new("inet", "lan1", Index("lan1"), "wan0", Index("wan0"), new ChainClassifier([46], new FlowRule(17, null, null, null, 5060)),
            [new ChainHop("fw", [new HopReplica("fw-0", "vin", Index("vin"), "vout", Index("vout"), [2, 0, 0, 0, 0, 1], running)])], bypass);

    string Listed() => Command.Run("ip", ["netns", "exec", _ns.Name, "nft", "list", "table", "netdev", ChainSteering.Table]);

    [Fact]
    public void A_chain_s_table_reads_back_in_nft_as_the_rules_it_was_built_from()
    {
        using var nft = NfTables.OpenIn(_ns.Path);
        nft.Replace(ChainSteering.Build([Chain(BypassPolicy.FailClosed, running: true)]));
        string listed = Listed();
        _output.WriteLine(listed);
        Assert.Contains("type filter hook ingress device \"lan1\" priority filter; policy accept;", listed);
        Assert.Contains("ip dscp ef udp dport 5060 jump inet>1 comment \"inet: classified into the chain\"", listed);
        Assert.Contains("counter packets 0 bytes 0 fwd to \"vin\"", listed);
        // nft shows link-layer matches raw in the netdev family: the destination MAC 02:00:00:00:00:01, the group bit.
        Assert.Contains("@ll,0,48 0x20000000001 counter packets 0 bytes 0 fwd to \"vout\"", listed);
        Assert.Contains("@ll,0,8 & 0x1 == 0x1 dup to \"vout\"", listed);
        Assert.Contains("fwd to \"wan0\"", listed);

        // Replaced whole: the stopped VNF's hop now drops, and the old rules are gone.
        nft.Replace(ChainSteering.Build([Chain(BypassPolicy.FailClosed, running: false)]));
        listed = Listed();
        Assert.Contains("counter packets 0 bytes 0 drop comment \"inet: fw is down, dropped (fail-closed)\"", listed);
        Assert.DoesNotContain("fwd to \"vin\"", listed);
    }

    [Fact]
    public async Task A_batch_the_kernel_refuses_as_a_whole_fails_at_once_instead_of_waiting_for_acks_that_never_come()
    {
        // The box's first boot met this: nf_tables not loaded, the batch's begin answered EOPNOTSUPP, and cped waited
        // forever for the messages' ACKs. A begin for a subsystem no kernel has is refused the same way here.
        // Not "using": a TransactBatch still stuck holds the socket's lock, and disposing would wait on it for ever, so
        // the test would hang instead of failing, and its namespace would never be removed.
        var nft = NfTables.OpenIn(_ns.Path);
        static NetlinkWriter Batch(ushort type) => new NetlinkWriter(type, Kernel.NLM_F_REQUEST).NfGen(Kernel.AF_UNSPEC, 0xee);
        var message = new NetlinkWriter((ushort)(NfKernel.NFNL_SUBSYS_NFTABLES << 8 | NfKernel.NFT_MSG_NEWTABLE), (ushort)(Kernel.NLM_F_REQUEST | Kernel.NLM_F_ACK))
            .NfGen(NfKernel.NFPROTO_NETDEV, 0).Str(NfKernel.NFTA_TABLE_NAME, "never");
        var attempt = Task.Run(() => nft.Socket.TransactBatch(Batch(NfKernel.NFNL_MSG_BATCH_BEGIN), [message], Batch(NfKernel.NFNL_MSG_BATCH_END), "a batch"));
        bool ended = await Task.WhenAny(attempt, Task.Delay(TimeSpan.FromSeconds(10))) == attempt;
        if (ended) nft.Dispose();
        Assert.True(ended, "TransactBatch still waits after the batch was refused");
        var e = await Assert.ThrowsAsync<NetlinkException>(() => attempt);
        Assert.True(e.Errno is 22 or 95, e.Message);   // EINVAL here (no such subsystem); EOPNOTSUPP on the box without nf_tables
        Assert.Contains("the nf_tables batch as a whole", e.Message);
    }

    [Fact]
    public void A_refused_batch_changes_nothing_and_says_which_message_failed()
    {
        using var nft = NfTables.OpenIn(_ns.Path);
        nft.Replace(ChainSteering.Build([Chain(BypassPolicy.FailOpen, running: true)]));
        string before = Listed();
        var missing = new NftTable(ChainSteering.Table, [new NftChain("in-lan1", [new NftRule([NftVerdict.Jump("nowhere")])], IngressDevice: "lan1")]);
        var e = Assert.Throws<NetlinkException>(() => nft.Replace(missing));
        Assert.Contains("nf_tables batch message 5 of 5", e.Message);
        Assert.Equal(before, Listed());

        nft.Delete(ChainSteering.Table);
        nft.Delete(ChainSteering.Table);   // nothing there: still fine
        Assert.DoesNotContain(ChainSteering.Table, Command.Run("ip", ["netns", "exec", _ns.Name, "nft", "list", "tables"]));
    }

    public void Dispose() => _ns.Dispose();
}
