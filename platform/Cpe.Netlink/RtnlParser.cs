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
        bool? carrier = null, vlanFiltering = null;
        LinkStatistics? stats = null;
        List<VfInfo>? vfs = null;
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
                    {
                        if (i.Type == Kernel.IFLA_INFO_KIND) kind = i.Str;
                        else if (i.Type == Kernel.IFLA_INFO_DATA && kind == "bridge")
                            foreach (var d in i.Nested)
                                if (d.Type == Kernel.IFLA_BR_VLAN_FILTERING) vlanFiltering = d.U8 != 0;
                    }
                    break;
                case Kernel.IFLA_VFINFO_LIST:
                    vfs = [];
                    foreach (var info in a.Nested)
                        if (info.Type == Kernel.IFLA_VF_INFO) vfs.Add(Vf(info.Nested));
                    break;
            }
        }
        return new LinkInfo(index, name, kind, (flags & Kernel.IFF_UP) != 0, carrier ?? (flags & Kernel.IFF_LOWER_UP) != 0,
            mtu, mac, master, alias, operState, stats)
        { Vfs = vfs ?? (IReadOnlyList<VfInfo>)[], VlanFiltering = vlanFiltering };
    }

    /// <summary>One IFLA_VF_INFO: every setting is a struct led by the VF number.</summary>
    static VfInfo Vf(NetlinkAttributes settings)
    {
        int vf = -1;
        string mac = "";
        ushort vlan = 0;
        byte qos = 0;
        bool? spoofCheck = null, trust = null;
        uint minRate = 0, maxRate = 0;
        VfLinkState? linkState = null;
        foreach (var s in settings)
        {
            switch (s.Type)
            {
                case Kernel.IFLA_VF_MAC:
                    vf = (int)VfWord(s.Data, 0, s.Type);
                    mac = s.Data.Length >= 10 ? FormatMac(s.Data[4..10]) : throw new NetlinkFormatException("IFLA_VF_MAC too short");
                    break;
                case Kernel.IFLA_VF_VLAN: vlan = (ushort)VfWord(s.Data, 1, s.Type); qos = (byte)VfWord(s.Data, 2, s.Type); break;
                case Kernel.IFLA_VF_SPOOFCHK: spoofCheck = VfWord(s.Data, 1, s.Type) switch { 0 => false, 1 => true, _ => null }; break;
                case Kernel.IFLA_VF_TRUST: trust = VfWord(s.Data, 1, s.Type) switch { 0 => false, 1 => true, _ => null }; break;
                case Kernel.IFLA_VF_RATE: minRate = VfWord(s.Data, 1, s.Type); maxRate = VfWord(s.Data, 2, s.Type); break;
                case Kernel.IFLA_VF_LINK_STATE: linkState = (VfLinkState)VfWord(s.Data, 1, s.Type); break;
            }
        }
        return new VfInfo(vf, mac, vlan, qos, spoofCheck, trust, minRate, maxRate, linkState);
    }

    static uint VfWord(ReadOnlySpan<byte> data, int i, ushort type) => data.Length >= 4 * (i + 1)
        ? BinaryPrimitives.ReadUInt32LittleEndian(data[(4 * i)..])
        : throw new NetlinkFormatException($"VF setting {type} holds {data.Length} bytes, needs {4 * (i + 1)}");

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

    /// <summary>An RTM_NEWNEIGH of an IPv4 or IPv6 neighbour (the ARP and neighbour discovery caches); null for another family's.</summary>
    public static NeighbourInfo? Neighbour(ReadOnlySpan<byte> payload)
    {
        var attributes = NetlinkParser.Attributes(payload, Kernel.NDMSG_LEN, "ndmsg");
        if (payload[0] is not (Kernel.AF_INET or Kernel.AF_INET6)) return null;
        int index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        ushort state = BinaryPrimitives.ReadUInt16LittleEndian(payload[8..]);
        IPAddress? address = null;
        string? mac = null;
        foreach (var a in attributes)
        {
            switch (a.Type)
            {
                case Kernel.NDA_DST: address = Ip(a.Data); break;
                case Kernel.NDA_LLADDR: mac = FormatMac(a.Data); break;
            }
        }
        return new NeighbourInfo(index, address ?? throw new NetlinkFormatException("neighbour entry without an address"), mac, state,
            (payload[10] & Kernel.NTF_ROUTER) != 0);
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
        0 => "unknown",
        1 => "notpresent",
        2 => "down",
        3 => "lowerlayerdown",
        4 => "testing",
        5 => "dormant",
        6 => "up",
        _ => $"state {state}",
    };
}
