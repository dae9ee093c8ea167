using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Cpe.Netlink.NfTables;

/// <summary>The expression sequences of common matches and actions, as nft itself compiles them.</summary>
public static class NftMatch
{
    public static IEnumerable<NftExpression> Ipv4() =>
        [new NftMeta(NfKernel.NFT_META_PROTOCOL), new NftCompare([0x08, 0x00])];

    /// <summary>IPv4 with this DSCP (the upper six bits of the TOS byte).</summary>
    public static IEnumerable<NftExpression> Dscp(int dscp) =>
        [.. Ipv4(), new NftPayload(NfKernel.NFT_PAYLOAD_NETWORK_HEADER, 1, 1), new NftBitwise([0xfc], [0]), new NftCompare([(byte)(dscp << 2)])];

    public static IEnumerable<NftExpression> Protocol(byte protocol) =>
        [new NftMeta(NfKernel.NFT_META_L4PROTO), new NftCompare([protocol])];

    public static IEnumerable<NftExpression> Source(IPNetwork prefix) => Address(prefix, 12);

    public static IEnumerable<NftExpression> Destination(IPNetwork prefix) => Address(prefix, 16);

    static IEnumerable<NftExpression> Address(IPNetwork prefix, uint offset)
    {
        if (prefix.BaseAddress.AddressFamily != AddressFamily.InterNetwork) throw new ArgumentException($"{prefix} is not an IPv4 prefix");
        var load = new NftPayload(NfKernel.NFT_PAYLOAD_NETWORK_HEADER, offset, 4);
        byte[] value = prefix.BaseAddress.GetAddressBytes();
        if (prefix.PrefixLength == 32) return [.. Ipv4(), load, new NftCompare(value)];
        var mask = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(mask, prefix.PrefixLength == 0 ? 0 : uint.MaxValue << (32 - prefix.PrefixLength));
        return [.. Ipv4(), load, new NftBitwise(mask, new byte[4]), new NftCompare(value)];
    }

    public static IEnumerable<NftExpression> SourcePort(ushort port) => Port(port, 0);

    public static IEnumerable<NftExpression> DestinationPort(ushort port) => Port(port, 2);

    static IEnumerable<NftExpression> Port(ushort port, uint offset)
    {
        var value = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(value, port);
        return [new NftPayload(NfKernel.NFT_PAYLOAD_TRANSPORT_HEADER, offset, 2), new NftCompare(value)];
    }

    public static IEnumerable<NftExpression> EtherDestination(byte[] mac) =>
        [new NftPayload(NfKernel.NFT_PAYLOAD_LL_HEADER, 0, 6), new NftCompare(mac)];

    /// <summary>Broadcast and multicast frames: the group bit of the destination MAC.</summary>
    public static IEnumerable<NftExpression> EtherGroup() =>
        [new NftPayload(NfKernel.NFT_PAYLOAD_LL_HEADER, 0, 1), new NftBitwise([1], [0]), new NftCompare([1])];

    /// <summary>symhash mod <paramref name="modulus"/> == <paramref name="bucket"/>.</summary>
    public static IEnumerable<NftExpression> HashBucket(int bucket, int modulus) =>
        [new NftSymmetricHash((uint)modulus), new NftCompare(BitConverter.GetBytes((uint)bucket))];

    public static IEnumerable<NftExpression> ForwardTo(int interfaceIndex) =>
        [new NftCounter(), NftImmediate.InterfaceIndex(interfaceIndex), new NftForward()];

    public static IEnumerable<NftExpression> CopyTo(int interfaceIndex) =>
        [NftImmediate.InterfaceIndex(interfaceIndex), new NftDuplicate()];
}
