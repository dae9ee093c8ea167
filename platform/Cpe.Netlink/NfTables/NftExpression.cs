using System.Buffers.Binary;

namespace Cpe.Netlink.NfTables;

/// <summary>
/// One nf_tables expression, the kernel's building block of a rule (what "nft --debug=netlink" prints). Only the ones
/// service chains need: load a packet field, compare, mask, hash, count, set a register or a verdict, forward, copy.
/// Registers are the 16-byte NFT_REG_1..4; NFT_REG_VERDICT is 0.
/// </summary>
public abstract record NftExpression(string Name)
{
    internal abstract void WriteData(NetlinkWriter w);

    internal static void BigEndian32(NetlinkWriter w, ushort type, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        w.Attr(type, b);
    }

    /// <summary>NFTA_DATA_VALUE nested in <paramref name="type"/>.</summary>
    internal static void Data(NetlinkWriter w, ushort type, ReadOnlySpan<byte> value)
    {
        int data = w.Begin(type);
        w.Attr(NfKernel.NFTA_DATA_VALUE, value);
        w.End(data);
    }
}

/// <summary>meta load KEY => reg (NFT_META_PROTOCOL: the ethertype, big-endian; NFT_META_L4PROTO: the IP protocol).</summary>
public sealed record NftMeta(uint Key, uint Register = NfKernel.NFT_REG_1) : NftExpression("meta")
{
    internal override void WriteData(NetlinkWriter w)
    {
        BigEndian32(w, NfKernel.NFTA_META_DREG, Register);
        BigEndian32(w, NfKernel.NFTA_META_KEY, Key);
    }
}

/// <summary>payload load LEN bytes @ BASE + OFFSET => reg.</summary>
public sealed record NftPayload(uint Base, uint Offset, uint Length, uint Register = NfKernel.NFT_REG_1) : NftExpression("payload")
{
    internal override void WriteData(NetlinkWriter w)
    {
        BigEndian32(w, NfKernel.NFTA_PAYLOAD_DREG, Register);
        BigEndian32(w, NfKernel.NFTA_PAYLOAD_BASE, Base);
        BigEndian32(w, NfKernel.NFTA_PAYLOAD_OFFSET, Offset);
        BigEndian32(w, NfKernel.NFTA_PAYLOAD_LEN, Length);
    }
}

/// <summary>cmp OP reg VALUE; the rule stops here unless it holds.</summary>
public sealed record NftCompare(byte[] Value, uint Operation = NfKernel.NFT_CMP_EQ, uint Register = NfKernel.NFT_REG_1) : NftExpression("cmp")
{
    internal override void WriteData(NetlinkWriter w)
    {
        BigEndian32(w, NfKernel.NFTA_CMP_SREG, Register);
        BigEndian32(w, NfKernel.NFTA_CMP_OP, Operation);
        Data(w, NfKernel.NFTA_CMP_DATA, Value);
    }
}

/// <summary>reg = (reg &amp; MASK) ^ XOR.</summary>
public sealed record NftBitwise(byte[] Mask, byte[] Xor, uint Register = NfKernel.NFT_REG_1) : NftExpression("bitwise")
{
    internal override void WriteData(NetlinkWriter w)
    {
        BigEndian32(w, NfKernel.NFTA_BITWISE_SREG, Register);
        BigEndian32(w, NfKernel.NFTA_BITWISE_DREG, Register);
        BigEndian32(w, NfKernel.NFTA_BITWISE_LEN, (uint)Mask.Length);
        Data(w, NfKernel.NFTA_BITWISE_MASK, Mask);
        Data(w, NfKernel.NFTA_BITWISE_XOR, Xor);
    }
}

/// <summary>
/// reg = symhash() % MODULUS: a hash of the flow's addresses and ports that is the same in both directions, so that the
/// reply of a flow picks the same replica as its request.
/// </summary>
public sealed record NftSymmetricHash(uint Modulus, uint Register = NfKernel.NFT_REG_1) : NftExpression("hash")
{
    internal override void WriteData(NetlinkWriter w)
    {
        BigEndian32(w, NfKernel.NFTA_HASH_DREG, Register);
        BigEndian32(w, NfKernel.NFTA_HASH_MODULUS, Modulus);
        BigEndian32(w, NfKernel.NFTA_HASH_TYPE, NfKernel.NFT_HASH_SYM);
    }
}

public sealed record NftCounter() : NftExpression("counter")
{
    internal override void WriteData(NetlinkWriter w)
    {
        Span<byte> zero = stackalloc byte[8];
        w.Attr(NfKernel.NFTA_COUNTER_BYTES, zero);
        w.Attr(NfKernel.NFTA_COUNTER_PACKETS, zero);
    }
}

/// <summary>immediate reg = VALUE (e.g. an interface index, host byte order as fwd and dup read it).</summary>
public sealed record NftImmediate(byte[] Value, uint Register = NfKernel.NFT_REG_1) : NftExpression("immediate")
{
    public static NftImmediate InterfaceIndex(int index) => new(BitConverter.GetBytes(index));

    internal override void WriteData(NetlinkWriter w)
    {
        BigEndian32(w, NfKernel.NFTA_IMMEDIATE_DREG, Register);
        Data(w, NfKernel.NFTA_IMMEDIATE_DATA, Value);
    }
}

/// <summary>A verdict: accept, drop, or jump to another chain of the table (which returns here when it ends).</summary>
public sealed record NftVerdict(int Code, string? Chain = null) : NftExpression("immediate")
{
    public static readonly NftVerdict Accept = new(NfKernel.NF_ACCEPT);
    public static readonly NftVerdict Drop = new(NfKernel.NF_DROP);
    public static NftVerdict Jump(string chain) => new(NfKernel.NFT_JUMP, chain);

    internal override void WriteData(NetlinkWriter w)
    {
        BigEndian32(w, NfKernel.NFTA_IMMEDIATE_DREG, NfKernel.NFT_REG_VERDICT);
        int data = w.Begin(NfKernel.NFTA_IMMEDIATE_DATA);
        int verdict = w.Begin(NfKernel.NFTA_DATA_VERDICT);
        BigEndian32(w, NfKernel.NFTA_VERDICT_CODE, unchecked((uint)Code));
        if (Chain is not null) w.Str(NfKernel.NFTA_VERDICT_CHAIN, Chain);
        w.End(verdict);
        w.End(data);
    }
}

/// <summary>fwd to the interface whose index is in reg: the frame leaves through it (netdev family only); the rule's verdict is stolen.</summary>
public sealed record NftForward(uint Register = NfKernel.NFT_REG_1) : NftExpression("fwd")
{
    internal override void WriteData(NetlinkWriter w) => BigEndian32(w, NfKernel.NFTA_FWD_SREG_DEV, Register);
}

/// <summary>dup to the interface whose index is in reg: a copy leaves through it; the original goes on.</summary>
public sealed record NftDuplicate(uint Register = NfKernel.NFT_REG_1) : NftExpression("dup")
{
    internal override void WriteData(NetlinkWriter w) => BigEndian32(w, NfKernel.NFTA_DUP_SREG_DEV, Register);
}
