using System.Text;

namespace Cpe.Netlink.NfTables;

/// <summary>
/// Our own nf_tables client (docs/reference/service-chains.md): whole netdev tables replaced in one nfnetlink batch, so
/// the kernel switches from the old rules to the new ones atomically; a frame never sees half a ruleset.
/// </summary>
public sealed class NfTables(NetlinkSocket socket) : IDisposable
{
    public NetlinkSocket Socket { get; } = socket;

    public static NfTables Open() => new(NetlinkSocket.OpenNetfilter());

    public static NfTables OpenIn(string namespacePath) => new(NetlinkSocket.OpenNetfilterIn(namespacePath));

    /// <summary>Makes <paramref name="table"/> exactly what the kernel holds under its name: created, or replaced whole.</summary>
    public void Replace(NftTable table)
    {
        var messages = new List<NetlinkWriter>
        {
            // Add (a no-op when it exists), delete, add again: the table ends up new whatever was there.
            Table(NfKernel.NFT_MSG_NEWTABLE, table.Name, Kernel.NLM_F_CREATE),
            Table(NfKernel.NFT_MSG_DELTABLE, table.Name, 0),
            Table(NfKernel.NFT_MSG_NEWTABLE, table.Name, Kernel.NLM_F_CREATE),
        };
        // Every chain before any rule, so that jumps find their target.
        messages.AddRange(table.Chains.Select(c => Chain(table.Name, c)));
        foreach (var chain in table.Chains)
            messages.AddRange(chain.Rules.Select(r => Rule(table.Name, chain.Name, r)));
        Socket.TransactBatch(Batch(NfKernel.NFNL_MSG_BATCH_BEGIN), messages, Batch(NfKernel.NFNL_MSG_BATCH_END), $"netdev table {table.Name}");
    }

    /// <summary>Removes the table and every rule in it; nothing happens when there is none.</summary>
    public void Delete(string table) =>
        Socket.TransactBatch(Batch(NfKernel.NFNL_MSG_BATCH_BEGIN),
            [Table(NfKernel.NFT_MSG_NEWTABLE, table, Kernel.NLM_F_CREATE), Table(NfKernel.NFT_MSG_DELTABLE, table, 0)],
            Batch(NfKernel.NFNL_MSG_BATCH_END), $"netdev table {table}");

    static NetlinkWriter Batch(ushort type) =>
        new NetlinkWriter(type, Kernel.NLM_F_REQUEST).NfGen(Kernel.AF_UNSPEC, NfKernel.NFNL_SUBSYS_NFTABLES);

    static NetlinkWriter Message(ushort type, ushort flags) =>
        new NetlinkWriter((ushort)(NfKernel.NFNL_SUBSYS_NFTABLES << 8 | type), (ushort)(Kernel.NLM_F_REQUEST | Kernel.NLM_F_ACK | flags))
            .NfGen(NfKernel.NFPROTO_NETDEV, 0);

    static NetlinkWriter Table(ushort type, string name, ushort flags) =>
        Message(type, flags).Str(NfKernel.NFTA_TABLE_NAME, name);

    static NetlinkWriter Chain(string table, NftChain chain)
    {
        var w = Message(NfKernel.NFT_MSG_NEWCHAIN, Kernel.NLM_F_CREATE)
            .Str(NfKernel.NFTA_CHAIN_TABLE, table)
            .Str(NfKernel.NFTA_CHAIN_NAME, chain.Name);
        if (chain.IngressDevice is string device)
        {
            int hook = w.Begin(NfKernel.NFTA_CHAIN_HOOK);
            NftExpression.BigEndian32(w, NfKernel.NFTA_HOOK_HOOKNUM, NfKernel.NF_NETDEV_INGRESS);
            NftExpression.BigEndian32(w, NfKernel.NFTA_HOOK_PRIORITY, unchecked((uint)chain.Priority));
            w.Str(NfKernel.NFTA_HOOK_DEV, device);
            w.End(hook);
            NftExpression.BigEndian32(w, NfKernel.NFTA_CHAIN_POLICY, NfKernel.NF_ACCEPT);
            w.Str(NfKernel.NFTA_CHAIN_TYPE, "filter");
        }
        return w;
    }

    static NetlinkWriter Rule(string table, string chain, NftRule rule)
    {
        var w = Message(NfKernel.NFT_MSG_NEWRULE, Kernel.NLM_F_CREATE | Kernel.NLM_F_APPEND)
            .Str(NfKernel.NFTA_RULE_TABLE, table)
            .Str(NfKernel.NFTA_RULE_CHAIN, chain);
        int list = w.Begin(NfKernel.NFTA_RULE_EXPRESSIONS);
        foreach (var e in rule.Expressions)
        {
            int element = w.Begin(NfKernel.NFTA_LIST_ELEM);
            w.Str(NfKernel.NFTA_EXPR_NAME, e.Name);
            int data = w.Begin(NfKernel.NFTA_EXPR_DATA);
            e.WriteData(w);
            w.End(data);
            w.End(element);
        }
        w.End(list);
        if (rule.Comment is string comment) w.Attr(NfKernel.NFTA_RULE_USERDATA, CommentUserData(comment));
        return w;
    }

    /// <summary>libnftnl's user data TLV (type 0: comment, NUL-terminated), which is what nft prints as the rule's comment.</summary>
    static byte[] CommentUserData(string comment)
    {
        var text = Encoding.UTF8.GetBytes(comment.Length > 120 ? comment[..120] : comment);
        var tlv = new byte[2 + text.Length + 1];
        tlv[0] = 0;
        tlv[1] = (byte)(text.Length + 1);
        text.CopyTo(tlv, 2);
        return tlv;
    }

    public void Dispose() => Socket.Dispose();
}
