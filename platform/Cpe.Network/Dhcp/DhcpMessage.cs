using System.Buffers.Binary;
using System.Net;

namespace Cpe.Network.Dhcp;

/// <summary>A DHCPv4 message (RFC 2131): the BOOTP fields a client uses, and the options.</summary>
public sealed record DhcpMessage(byte Op, uint TransactionId, ushort Seconds, bool Broadcast,
    IPAddress ClientAddress, IPAddress YourAddress, IPAddress ServerAddress, IPAddress RelayAddress,
    byte[] ClientHardwareAddress, DhcpOptions Options)
{
    public const byte BootRequest = 1, BootReply = 2;
    const int FixedLength = 236;
    static readonly byte[] MagicCookie = [99, 130, 83, 99];

    /// <summary>The wire form: BOOTP header, magic cookie, options, END, padded to the 300 bytes old relays expect.</summary>
    public byte[] Encode()
    {
        var options = new List<byte>();
        foreach (var code in Options.Codes)
        {
            var value = Options[code]!;
            // Longer than 255: several instances, concatenated by the receiver (RFC 3396).
            for (int at = 0; at < value.Length || at == 0; at += 255)
            {
                int n = Math.Min(255, value.Length - at);
                options.Add(code);
                options.Add((byte)n);
                options.AddRange(value.AsSpan(at, n).ToArray());
                if (value.Length == 0) break;
            }
        }
        options.Add(DhcpOptionCode.End);
        var packet = new byte[Math.Max(300, FixedLength + 4 + options.Count)];
        packet[0] = Op;
        packet[1] = 1;   // htype: Ethernet
        packet[2] = (byte)ClientHardwareAddress.Length;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), TransactionId);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(8), Seconds);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), Broadcast ? (ushort)0x8000 : (ushort)0);
        ClientAddress.GetAddressBytes().CopyTo(packet, 12);
        YourAddress.GetAddressBytes().CopyTo(packet, 16);
        ServerAddress.GetAddressBytes().CopyTo(packet, 20);
        RelayAddress.GetAddressBytes().CopyTo(packet, 24);
        ClientHardwareAddress.CopyTo(packet, 28);
        MagicCookie.CopyTo(packet, FixedLength);
        options.CopyTo(packet, FixedLength + 4);
        return packet;
    }

    /// <summary>Parses a received packet; anything malformed is a <see cref="DhcpFormatException"/>, never a crash.</summary>
    public static DhcpMessage Decode(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < FixedLength + 4) throw new DhcpFormatException($"{packet.Length} bytes is shorter than a DHCP header");
        if (!packet.Slice(FixedLength, 4).SequenceEqual(MagicCookie)) throw new DhcpFormatException("no DHCP magic cookie");
        byte hlen = packet[2];
        if (hlen > 16) throw new DhcpFormatException($"hardware address length {hlen} exceeds 16");
        var options = new DhcpOptions();
        ReadOptions(packet[(FixedLength + 4)..], options);
        // Option overload (52): the file (1) and sname (2) fields hold more options.
        if (options[DhcpOptionCode.Overload] is [byte overload])
        {
            if ((overload & 1) != 0) ReadOptions(packet.Slice(108, 128), options);
            if ((overload & 2) != 0) ReadOptions(packet.Slice(44, 64), options);
        }
        return new DhcpMessage(packet[0], BinaryPrimitives.ReadUInt32BigEndian(packet[4..]), BinaryPrimitives.ReadUInt16BigEndian(packet[8..]),
            (BinaryPrimitives.ReadUInt16BigEndian(packet[10..]) & 0x8000) != 0,
            new IPAddress(packet.Slice(12, 4)), new IPAddress(packet.Slice(16, 4)), new IPAddress(packet.Slice(20, 4)), new IPAddress(packet.Slice(24, 4)),
            packet.Slice(28, hlen).ToArray(), options);
    }

    static void ReadOptions(ReadOnlySpan<byte> data, DhcpOptions options)
    {
        int i = 0;
        while (i < data.Length)
        {
            byte code = data[i++];
            if (code == DhcpOptionCode.Pad) continue;
            if (code == DhcpOptionCode.End) return;
            if (i >= data.Length) throw new DhcpFormatException($"option {code} has no length byte");
            int length = data[i++];
            if (i + length > data.Length) throw new DhcpFormatException($"option {code} of {length} bytes runs past the end of the packet");
            options.Append(code, data.Slice(i, length));
            i += length;
        }
        // Options that simply stop without END are accepted: some servers omit it in the file/sname fields.
    }
}
