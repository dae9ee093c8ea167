using System.Buffers.Binary;
using System.Text;

namespace Cpe.Netlink;

/// <summary>One message of a reply: header fields and the payload after the header.</summary>
public readonly record struct NetlinkMessage(ushort Type, ushort Flags, uint Sequence, uint PortId, ReadOnlyMemory<byte> Payload);

/// <summary>One attribute: its type (flags masked off) and its data.</summary>
public readonly ref struct NetlinkAttribute(ushort type, ReadOnlySpan<byte> data)
{
    public ushort Type { get; } = type;
    public ReadOnlySpan<byte> Data { get; } = data;

    public uint U32 => Data.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(Data) : throw Short(4);
    public ulong U64At(int offset) => Data.Length >= offset + 8 ? BinaryPrimitives.ReadUInt64LittleEndian(Data[offset..]) : throw Short(offset + 8);
    public byte U8 => Data.Length >= 1 ? Data[0] : throw Short(1);

    /// <summary>A string attribute, with or without its terminating NUL.</summary>
    public string Str
    {
        get
        {
            int nul = Data.IndexOf((byte)0);
            return Encoding.UTF8.GetString(nul >= 0 ? Data[..nul] : Data);
        }
    }

    public NetlinkAttributes Nested => new(Data);

    NetlinkFormatException Short(int need) => new($"attribute {Type} holds {Data.Length} bytes, needs {need}");
}

/// <summary>Walks attributes with bounds checks: a length that is too short or runs past the end is an error, never a read outside the buffer.</summary>
public readonly ref struct NetlinkAttributes(ReadOnlySpan<byte> data)
{
    readonly ReadOnlySpan<byte> _data = data;

    public Enumerator GetEnumerator() => new(_data);

    public ref struct Enumerator(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> _rest = data;
        ushort _type;
        ReadOnlySpan<byte> _value;

        public readonly NetlinkAttribute Current => new(_type, _value);

        public bool MoveNext()
        {
            if (_rest.Length < 4) return _rest.Length == 0 ? false : throw new NetlinkFormatException($"{_rest.Length} stray bytes after the last attribute");
            ushort length = BinaryPrimitives.ReadUInt16LittleEndian(_rest);
            if (length < 4) throw new NetlinkFormatException($"attribute length {length} is shorter than its header");
            if (length > _rest.Length) throw new NetlinkFormatException($"attribute length {length} runs past the end ({_rest.Length} bytes left)");
            _type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(_rest[2..]) & Kernel.NLA_TYPE_MASK);
            _value = _rest[4..length];
            int next = Math.Min(_rest.Length, NetlinkWriter.Align(length));
            _rest = _rest[next..];
            return true;
        }
    }
}

/// <summary>Splits a received datagram into messages, checking every length against the buffer.</summary>
public static class NetlinkParser
{
    public static List<NetlinkMessage> Split(ReadOnlyMemory<byte> datagram)
    {
        var messages = new List<NetlinkMessage>();
        var rest = datagram;
        while (rest.Length > 0)
        {
            var span = rest.Span;
            if (span.Length < Kernel.NLMSG_HDRLEN) throw new NetlinkFormatException($"{span.Length} bytes cannot hold a netlink header");
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(span);
            if (length < Kernel.NLMSG_HDRLEN || length > span.Length)
                throw new NetlinkFormatException($"message length {length} does not fit the {span.Length} bytes received");
            messages.Add(new NetlinkMessage(
                BinaryPrimitives.ReadUInt16LittleEndian(span[4..]), BinaryPrimitives.ReadUInt16LittleEndian(span[6..]),
                BinaryPrimitives.ReadUInt32LittleEndian(span[8..]), BinaryPrimitives.ReadUInt32LittleEndian(span[12..]),
                rest[Kernel.NLMSG_HDRLEN..(int)length]));
            rest = rest[Math.Min(rest.Length, NetlinkWriter.Align((int)length))..];
        }
        return messages;
    }

    /// <summary>
    /// The attributes after a fixed family header (ifinfomsg, ifaddrmsg, rtmsg, ndmsg) of <paramref name="headerLength"/>
    /// bytes; a payload too short for that header is refused here, once, before anyone reads the header.
    /// </summary>
    public static NetlinkAttributes Attributes(ReadOnlySpan<byte> payload, int headerLength, string header) =>
        payload.Length >= headerLength
            ? new NetlinkAttributes(payload[headerLength..])
            : throw new NetlinkFormatException($"{header} needs {headerLength} bytes, got {payload.Length}");
}
