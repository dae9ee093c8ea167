using System.Buffers.Binary;
using System.Net;

namespace Cpe.Netlink;

/// <summary>Reads RTM_NEWLINK, RTM_NEWADDR and RTM_NEWROUTE payloads; malformed input raises <see cref="NetlinkFormatException"/>.</summary>
public static class RtnlParser
{
    public static LinkInfo Link(ReadOnlySpan<byte> payload)
    {
        var attributes = NetlinkParser.Attributes(payload, Kernel.IFINFOMSG_LEN, "ifinfomsg");
        int index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        string name = "";
        string? kind = null, mac = null, alias = null, operState = null;
        uint mtu = 0;
        int? master = null;
        bool? carrier = null;
        LinkStatistics? stats = null;
        foreach (var a in attributes)
        {
            switch (a.Type)
            {
                case Kernel.IFLA_IFNAME: name = a.Str; break;
                case Kernel.IFLA_MTU: mtu = a.U32; break;
                case Kernel.IFLA_ADDRESS: mac = FormatMac(a.Data); break;
                case Kernel.IFLA_MASTER: master = (int)a.U32; break;
                case Kernel.IFLA_IFALIAS: alias = a.Str; break;
                case Kernel.IFLA_CARRIER: carrier = a.U8 != 0; break;
                case Kernel.IFLA_OPERSTATE: operState = OperState(a.U8); break;
                case Kernel.IFLA_STATS64:
                    stats = new LinkStatistics(a.U64At(0), a.U64At(8), a.U64At(16), a.U64At(24), a.U64At(32), a.U64At(40), a.U64At(48), a.U64At(56));
                    break;
                case Kernel.IFLA_LINKINFO:
                    foreach (var i in a.Nested)
                        if (i.Type == Kernel.IFLA_INFO_KIND) kind = i.Str;
                    break;
            }
        }
        return new LinkInfo(index, name, kind, (flags & Kernel.IFF_UP) != 0, carrier ?? (flags & Kernel.IFF_LOWER_UP) != 0,
            mtu, mac, master, alias, operState, stats);
    }

    public static AddressInfo Address(ReadOnlySpan<byte> payload)
    {
        var attributes = NetlinkParser.Attributes(payload, Kernel.IFADDRMSG_LEN, "ifaddrmsg");
        byte prefix = payload[1];
        int index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        IPAddress? address = null, local = null;
        string? label = null;
        foreach (var a in attributes)
        {
            switch (a.Type)
            {
                case Kernel.IFA_ADDRESS: address = Ip(a.Data); break;
                case Kernel.IFA_LOCAL: local = Ip(a.Data); break;
                case Kernel.IFA_LABEL: label = a.Str; break;
            }
        }
        // On point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL is ours when present.
        var ours = local ?? address ?? throw new NetlinkFormatException("address message without an address");
        return new AddressInfo(index, ours, prefix, label);
    }

    public static RouteInfo Route(ReadOnlySpan<byte> payload)
    {
        var attributes = NetlinkParser.Attributes(payload, Kernel.RTMSG_LEN, "rtmsg");
        byte family = payload[0], dstLength = payload[1];
        uint table = payload[4];
        byte protocol = payload[5], scope = payload[6];
        IPAddress? destination = null, gateway = null;
        int? oif = null;
        foreach (var a in attributes)
        {
            switch (a.Type)
            {
                case Kernel.RTA_DST: destination = Ip(a.Data); break;
                case Kernel.RTA_GATEWAY: gateway = Ip(a.Data); break;
                case Kernel.RTA_OIF: oif = (int)a.U32; break;
                case Kernel.RTA_TABLE: table = a.U32; break;
            }
        }
        destination ??= family == Kernel.AF_INET6 ? IPAddress.IPv6Any : IPAddress.Any;
        return new RouteInfo(destination, dstLength, gateway, oif, table, protocol, scope);
    }

    static IPAddress Ip(ReadOnlySpan<byte> data) => data.Length is 4 or 16
        ? new IPAddress(data)
        : throw new NetlinkFormatException($"an address of {data.Length} bytes");

    /// <summary>"02:00:00:00:00:09"; any length, an empty one included (a malformed reply must not crash us).</summary>
    public static string FormatMac(ReadOnlySpan<byte> mac) =>
        string.Join(':', mac.ToArray().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    public static byte[] ParseMac(string mac)
    {
        var parts = mac.Split(':');
        if (parts.Length != 6 || parts.Any(p => p.Length != 2)) throw new FormatException($"'{mac}' is not a MAC address (six hex pairs separated by ':')");
        return parts.Select(p => Convert.ToByte(p, 16)).ToArray();
    }

    static string OperState(byte state) => state switch
    {
        0 => "unknown", 1 => "notpresent", 2 => "down", 3 => "lowerlayerdown", 4 => "testing", 5 => "dormant", 6 => "up", _ => $"state {state}",
    };
}
