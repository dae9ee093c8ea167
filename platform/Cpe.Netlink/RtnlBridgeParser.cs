using System.Buffers.Binary;

namespace Cpe.Netlink;

/// <summary>Reads bridge FDB entries and per-port VLAN lists.</summary>
public static class RtnlBridgeParser
{
    public static FdbEntry Fdb(ReadOnlySpan<byte> payload)
    {
        var attributes = NetlinkParser.Attributes(payload, Kernel.NDMSG_LEN, "ndmsg");
        int index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        ushort state = BinaryPrimitives.ReadUInt16LittleEndian(payload[8..]);
        string? mac = null;
        int? master = null;
        ushort? vlan = null;
        foreach (var a in attributes)
        {
            switch (a.Type)
            {
                case Kernel.NDA_LLADDR: mac = RtnlParser.FormatMac(a.Data); break;
                case Kernel.NDA_MASTER: master = (int)a.U32; break;
                case Kernel.NDA_VLAN:
                    vlan = a.Data.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(a.Data) : throw new NetlinkFormatException("NDA_VLAN shorter than 2 bytes");
                    break;
            }
        }
        return new FdbEntry(index, mac ?? throw new NetlinkFormatException("FDB entry without a MAC address"), master, vlan,
            (state & (Kernel.NUD_NOARP | Kernel.NUD_PERMANENT)) != 0);
    }

    /// <summary>The port index and its VLANs from an AF_BRIDGE RTM_NEWLINK (empty when the kernel sent none).</summary>
    public static (int PortIndex, IReadOnlyList<PortVlan> Vlans) Vlans(ReadOnlySpan<byte> payload)
    {
        var attributes = NetlinkParser.Attributes(payload, Kernel.IFINFOMSG_LEN, "ifinfomsg");
        int index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        var vlans = new List<PortVlan>();
        foreach (var a in attributes)
        {
            if (a.Type != Kernel.IFLA_AF_SPEC) continue;
            foreach (var v in a.Nested)
            {
                if (v.Type != Kernel.IFLA_BRIDGE_VLAN_INFO) continue;
                if (v.Data.Length < 4) throw new NetlinkFormatException("IFLA_BRIDGE_VLAN_INFO shorter than 4 bytes");
                ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(v.Data);
                vlans.Add(new PortVlan(BinaryPrimitives.ReadUInt16LittleEndian(v.Data[2..]),
                    (flags & Kernel.BRIDGE_VLAN_INFO_PVID) != 0, (flags & Kernel.BRIDGE_VLAN_INFO_UNTAGGED) != 0));
            }
        }
        return (index, vlans);
    }
}
