using System.Text;

namespace Cpe.TestKit;

/// <summary>LLDP frames as a switch sends them, built byte by byte from IEEE 802.1AB-2016 §8 for the tests to send and read.</summary>
public static class LldpFrames
{
    static readonly byte[] NearestBridge = [0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e];

    /// <summary>A TLV: 7 bits of type, 9 of length, the value (§8.4).</summary>
    public static byte[] Tlv(int type, params byte[] value) => [(byte)((type << 1) | (value.Length >> 8)), (byte)value.Length, .. value];

    static byte[] Text(string s) => Encoding.ASCII.GetBytes(s);

    /// <summary>Chassis ID a MAC address, port ID an interface name, TTL, port description, system name and description, an IPv4 management address.</summary>
    public static byte[] Switch(int ttl = 120, string system = "access-sw-3", string port = "ge-0/0/12") =>
    [
        .. NearestBridge, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x88, 0xcc,
        .. Tlv(1, [4, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55]),
        .. Tlv(2, [5, .. Text(port)]),
        .. Tlv(3, [(byte)(ttl >> 8), (byte)ttl]),
        .. Tlv(4, Text("to the CPE at desk 4")),
        .. Tlv(5, Text(system)),
        .. Tlv(6, Text("Example Switch OS 9.1")),
        .. Tlv(8, [5, 1, 192, 0, 2, 9, 2, 0, 0, 0, 1, 0]),
        .. Tlv(0),
    ];
}
