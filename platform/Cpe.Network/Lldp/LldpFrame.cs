using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Cpe.Network.Lldp;

/// <summary>What a neighbour says about itself in one LLDPDU; TTL 0 is its shutdown ("forget me").</summary>
public sealed record LldpAdvertisement(string ChassisId, string PortId, int Ttl, string? PortDescription, string? SystemName,
    string? SystemDescription, string? ManagementAddress);

/// <summary>
/// Reads an LLDP frame (IEEE 802.1AB-2016 §8): the Ethernet header with EtherType 0x88cc, then TLVs of a 7-bit type
/// and a 9-bit length, the chassis ID, port ID and TTL first. Text a neighbour sends is shown on a technician's
/// terminal, so anything but printable ASCII comes out escaped.
/// </summary>
public static class LldpFrame
{
    public const ushort EtherType = 0x88cc;
    /// <summary>The nearest-bridge group address every LLDP agent sends to.</summary>
    public static readonly byte[] Multicast = [0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e];

    /// <summary>The advertisement in <paramref name="frame"/>, or null when it is not a well-formed LLDPDU.</summary>
    public static LldpAdvertisement? Parse(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 14 || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != EtherType) return null;
        var tlvs = frame[14..];
        string? chassis = null, port = null, portDescription = null, systemName = null, systemDescription = null, management = null;
        int? ttl = null;
        for (int index = 0; tlvs.Length >= 2; index++)
        {
            int type = tlvs[0] >> 1, length = ((tlvs[0] & 1) << 8) | tlvs[1];
            if (tlvs.Length < 2 + length) return null;
            var value = tlvs.Slice(2, length);
            tlvs = tlvs[(2 + length)..];
            // The first three are mandatory and in this order (§8.2).
            if ((index == 0 && type != 1) || (index == 1 && type != 2) || (index == 2 && type != 3)) return null;
            switch (type)
            {
                case 0:
                    return chassis is null || port is null || ttl is null ? null
                    : new LldpAdvertisement(chassis, port, ttl.Value, portDescription, systemName, systemDescription, management);
                case 1 when length >= 2: chassis = Id(value[0], value[1..], macSubtype: 4, addressSubtype: 5); break;
                case 2 when length >= 2: port = Id(value[0], value[1..], macSubtype: 3, addressSubtype: 4); break;
                case 3 when length >= 2: ttl = BinaryPrimitives.ReadUInt16BigEndian(value); break;
                case 4: portDescription = Text(value); break;
                case 5: systemName = Text(value); break;
                case 6: systemDescription = Text(value); break;
                case 8 when management is null && length >= 2 && value[0] >= 2 && value[0] <= length - 1: management = Address(value.Slice(1, value[0])); break;
                case 1 or 2 or 3: return null;
            }
        }
        return null;   // no End of LLDPDU TLV
    }

    static string Id(byte subtype, ReadOnlySpan<byte> id, int macSubtype, int addressSubtype) =>
        subtype == macSubtype && id.Length == 6 ? string.Join(':', id.ToArray().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)))
        : subtype == addressSubtype && id.Length >= 1 ? Address(id)
        : Text(id);

    /// <summary>An IANA address family number, then the address (IPv4 1, IPv6 2; anything else as text).</summary>
    static string Address(ReadOnlySpan<byte> value) =>
        value[0] == 1 && value.Length == 5 || value[0] == 2 && value.Length == 17 ? new IPAddress(value[1..]).ToString() : Text(value);

    static string Text(ReadOnlySpan<byte> value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (byte b in value) sb.Append(b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}");
        return sb.ToString();
    }
}
