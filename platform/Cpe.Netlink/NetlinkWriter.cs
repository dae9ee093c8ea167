using System.Buffers.Binary;
using System.Text;

namespace Cpe.Netlink;

/// <summary>
/// Builds one netlink request: header, family header, attributes (4-byte aligned, nested where
/// asked). Host byte order throughout, as netlink is; addresses are the only big-endian payloads.
/// </summary>
public sealed class NetlinkWriter
{
    byte[] _buffer = new byte[256];
    int _length;

    public ReadOnlySpan<byte> Message => _buffer.AsSpan(0, _length);
    public ushort Type => BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(4));

    public NetlinkWriter(ushort type, ushort flags)
    {
        _length = Kernel.NLMSG_HDRLEN;
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(6), flags);
        UpdateLength();
    }

    /// <summary>Sets the sequence number and the port id just before sending.</summary>
    public void Stamp(uint sequence, uint portId = 0)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(8), sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(12), portId);
    }

    /// <summary>struct ifinfomsg: family, type, index, flags, change.</summary>
    public NetlinkWriter IfInfo(int index = 0, uint flags = 0, uint change = 0, byte family = Kernel.AF_UNSPEC)
    {
        var s = Reserve(Kernel.IFINFOMSG_LEN);
        s[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], change);
        return this;
    }

    /// <summary>struct nfgenmsg: family, version 0, resource id (big-endian).</summary>
    public NetlinkWriter NfGen(byte family, ushort resourceId)
    {
        var s = Reserve(4);
        s[0] = family;
        BinaryPrimitives.WriteUInt16BigEndian(s[2..], resourceId);
        return this;
    }

    /// <summary>struct ifaddrmsg: family, prefix length, flags, scope, index.</summary>
    public NetlinkWriter IfAddr(byte family, byte prefixLength, int index, byte scope = 0)
    {
        var s = Reserve(Kernel.IFADDRMSG_LEN);
        s[0] = family;
        s[1] = prefixLength;
        s[3] = scope;
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], index);
        return this;
    }

    /// <summary>struct ndmsg: family, index, state, flags, type.</summary>
    public NetlinkWriter Nd(byte family, int index, ushort state, byte flags)
    {
        var s = Reserve(Kernel.NDMSG_LEN);
        s[0] = family;
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], index);
        BinaryPrimitives.WriteUInt16LittleEndian(s[8..], state);
        s[10] = flags;
        return this;
    }

    /// <summary>struct rtmsg.</summary>
    public NetlinkWriter Rt(byte family, byte dstLength, byte table, byte protocol, byte scope, byte type)
    {
        var s = Reserve(Kernel.RTMSG_LEN);
        s[0] = family;
        s[1] = dstLength;
        s[4] = table;
        s[5] = protocol;
        s[6] = scope;
        s[7] = type;
        return this;
    }

    public NetlinkWriter Attr(ushort type, ReadOnlySpan<byte> data)
    {
        int total = 4 + data.Length;
        var s = Reserve(Align(total));
        BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)total);
        BinaryPrimitives.WriteUInt16LittleEndian(s[2..], type);
        data.CopyTo(s[4..]);
        return this;
    }

    public NetlinkWriter U32(ushort type, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Attr(type, b);
    }

    public NetlinkWriter U8(ushort type, byte value) => Attr(type, [value]);

    /// <summary>A string attribute; names (IFLA_IFNAME) carry a NUL, kinds and aliases do not, as iproute2 sends them.</summary>
    public NetlinkWriter Str(ushort type, string value, bool nulTerminated = true)
    {
        int n = Encoding.UTF8.GetByteCount(value);
        Span<byte> b = n < 256 ? stackalloc byte[n + 1] : new byte[n + 1];
        Encoding.UTF8.GetBytes(value, b);
        return Attr(type, nulTerminated ? b : b[..n]);
    }

    /// <summary>Opens a nested attribute; close it with <see cref="End"/>.</summary>
    public int Begin(ushort type)
    {
        int start = _length;
        var s = Reserve(4);
        BinaryPrimitives.WriteUInt16LittleEndian(s[2..], type);
        return start;
    }

    public NetlinkWriter End(int start)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(start), (ushort)(_length - start));
        return this;
    }

    Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        var s = _buffer.AsSpan(_length, count);
        s.Clear();
        _length += count;
        UpdateLength();
        return s;
    }

    void UpdateLength() => BinaryPrimitives.WriteUInt32LittleEndian(_buffer, (uint)_length);

    internal static int Align(int n) => (n + 3) & ~3;
}
