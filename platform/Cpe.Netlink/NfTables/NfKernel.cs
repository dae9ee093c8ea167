namespace Cpe.Netlink.NfTables;

/// <summary>The nfnetlink and nf_tables constants we use (linux/netfilter/nfnetlink.h, nf_tables.h).</summary>
public static class NfKernel
{
    public const ushort NFNL_SUBSYS_NFTABLES = 10, NFNL_MSG_BATCH_BEGIN = 0x10, NFNL_MSG_BATCH_END = 0x11;
    public const ushort NFT_MSG_NEWTABLE = 0, NFT_MSG_GETTABLE = 1, NFT_MSG_DELTABLE = 2, NFT_MSG_NEWCHAIN = 3, NFT_MSG_GETCHAIN = 4, NFT_MSG_NEWRULE = 6, NFT_MSG_GETRULE = 7;
    public const byte NFPROTO_NETDEV = 5;
    public const uint NF_NETDEV_INGRESS = 0;

    public const ushort NFTA_TABLE_NAME = 1;
    public const ushort NFTA_CHAIN_TABLE = 1, NFTA_CHAIN_NAME = 3, NFTA_CHAIN_HOOK = 4, NFTA_CHAIN_POLICY = 5, NFTA_CHAIN_TYPE = 7;
    public const ushort NFTA_HOOK_HOOKNUM = 1, NFTA_HOOK_PRIORITY = 2, NFTA_HOOK_DEV = 3;
    public const ushort NFTA_RULE_TABLE = 1, NFTA_RULE_CHAIN = 2, NFTA_RULE_EXPRESSIONS = 4, NFTA_RULE_USERDATA = 7;
    public const ushort NFTA_LIST_ELEM = 1, NFTA_EXPR_NAME = 1, NFTA_EXPR_DATA = 2;
    public const ushort NFTA_DATA_VALUE = 1, NFTA_DATA_VERDICT = 2, NFTA_VERDICT_CODE = 1, NFTA_VERDICT_CHAIN = 2;
    public const ushort NFTA_META_DREG = 1, NFTA_META_KEY = 2;
    public const ushort NFTA_PAYLOAD_DREG = 1, NFTA_PAYLOAD_BASE = 2, NFTA_PAYLOAD_OFFSET = 3, NFTA_PAYLOAD_LEN = 4;
    public const ushort NFTA_CMP_SREG = 1, NFTA_CMP_OP = 2, NFTA_CMP_DATA = 3;
    public const ushort NFTA_BITWISE_SREG = 1, NFTA_BITWISE_DREG = 2, NFTA_BITWISE_LEN = 3, NFTA_BITWISE_MASK = 4, NFTA_BITWISE_XOR = 5;
    public const ushort NFTA_HASH_DREG = 2, NFTA_HASH_MODULUS = 4, NFTA_HASH_TYPE = 7;
    public const ushort NFTA_COUNTER_BYTES = 1, NFTA_COUNTER_PACKETS = 2;
    public const ushort NFTA_IMMEDIATE_DREG = 1, NFTA_IMMEDIATE_DATA = 2;
    public const ushort NFTA_FWD_SREG_DEV = 1, NFTA_DUP_SREG_DEV = 2;

    public const uint NFT_REG_VERDICT = 0, NFT_REG_1 = 1;
    public const uint NFT_CMP_EQ = 0, NFT_CMP_NEQ = 1;
    public const uint NFT_META_PROTOCOL = 1, NFT_META_L4PROTO = 16;
    public const uint NFT_PAYLOAD_LL_HEADER = 0, NFT_PAYLOAD_NETWORK_HEADER = 1, NFT_PAYLOAD_TRANSPORT_HEADER = 2;
    public const uint NFT_HASH_SYM = 1;
    public const int NF_DROP = 0, NF_ACCEPT = 1, NFT_JUMP = -3;
}
