using System.Buffers.Binary;

namespace Cpe.Netlink;

/// <summary>Bridge requests (FDB, port flags, VLANs), built as iproute2's `bridge` and `ip` tools build them.</summary>
public static class RtnlBridgeRequests
{
    const ushort Create = Kernel.NLM_F_REQUEST | Kernel.NLM_F_ACK | Kernel.NLM_F_EXCL | Kernel.NLM_F_CREATE;
    const ushort Change = Kernel.NLM_F_REQUEST | Kernel.NLM_F_ACK;

    /// <summary>"bridge fdb add MAC dev PORT master static".</summary>
    public static NetlinkWriter AddStaticFdb(int portIndex, ReadOnlySpan<byte> mac) =>
        new NetlinkWriter(Kernel.RTM_NEWNEIGH, Create)
            .Nd(Kernel.AF_BRIDGE, portIndex, Kernel.NUD_NOARP | Kernel.NUD_REACHABLE, Kernel.NTF_MASTER).Attr(Kernel.NDA_LLADDR, mac);

    public static NetlinkWriter DeleteStaticFdb(int portIndex, ReadOnlySpan<byte> mac) =>
        new NetlinkWriter(Kernel.RTM_DELNEIGH, Change)
            .Nd(Kernel.AF_BRIDGE, portIndex, Kernel.NUD_NOARP | Kernel.NUD_REACHABLE, Kernel.NTF_MASTER).Attr(Kernel.NDA_LLADDR, mac);

    public static NetlinkWriter DumpFdb() =>
        new NetlinkWriter(Kernel.RTM_GETNEIGH, Kernel.NLM_F_REQUEST | Kernel.NLM_F_DUMP).Nd(Kernel.AF_BRIDGE, 0, 0, 0);

    /// <summary>"bridge link set dev PORT learning on|off flood on|off"; a null leaves that flag alone.</summary>
    public static NetlinkWriter SetPortFlags(int portIndex, bool? learning, bool? flood)
    {
        var w = new NetlinkWriter(Kernel.RTM_SETLINK, Change).IfInfo(portIndex, family: Kernel.AF_BRIDGE);
        int info = w.Begin(Kernel.IFLA_PROTINFO | Kernel.NLA_F_NESTED);
        if (flood is bool f) w.U8(Kernel.IFLA_BRPORT_UNICAST_FLOOD, f ? (byte)1 : (byte)0);
        if (learning is bool l) w.U8(Kernel.IFLA_BRPORT_LEARNING, l ? (byte)1 : (byte)0);
        return w.End(info);
    }

    /// <summary>"ip link set BRIDGE type bridge vlan_filtering 0|1".</summary>
    public static NetlinkWriter SetVlanFiltering(int bridgeIndex, bool enabled)
    {
        var w = new NetlinkWriter(Kernel.RTM_NEWLINK, Change).IfInfo(bridgeIndex);
        int info = w.Begin(Kernel.IFLA_LINKINFO);
        w.Str(Kernel.IFLA_INFO_KIND, "bridge", nulTerminated: false);
        int data = w.Begin(Kernel.IFLA_INFO_DATA);
        w.U8(Kernel.IFLA_BR_VLAN_FILTERING, enabled ? (byte)1 : (byte)0);
        return w.End(data).End(info);
    }

    /// <summary>"bridge vlan add dev PORT vid N [pvid] [untagged]".</summary>
    public static NetlinkWriter AddVlan(int portIndex, PortVlan vlan) => Vlan(Kernel.RTM_SETLINK, portIndex, vlan);

    /// <summary>"bridge vlan del dev PORT vid N".</summary>
    public static NetlinkWriter DeleteVlan(int portIndex, ushort vid) => Vlan(Kernel.RTM_DELLINK, portIndex, new PortVlan(vid, false, false));

    static NetlinkWriter Vlan(ushort type, int portIndex, PortVlan vlan)
    {
        if (vlan.Vid is 0 or > 4094) throw new ArgumentOutOfRangeException(nameof(vlan), vlan.Vid, "a VLAN id is 1 to 4094");
        var w = new NetlinkWriter(type, Change).IfInfo(portIndex, family: Kernel.AF_BRIDGE);
        int spec = w.Begin(Kernel.IFLA_AF_SPEC);
        Span<byte> info = stackalloc byte[4];
        ushort flags = (ushort)((vlan.Pvid ? Kernel.BRIDGE_VLAN_INFO_PVID : 0) | (vlan.Untagged ? Kernel.BRIDGE_VLAN_INFO_UNTAGGED : 0));
        BinaryPrimitives.WriteUInt16LittleEndian(info, flags);
        BinaryPrimitives.WriteUInt16LittleEndian(info[2..], vlan.Vid);
        w.Attr(Kernel.IFLA_BRIDGE_VLAN_INFO, info);
        return w.End(spec);
    }

    /// <summary>Every bridge port with its VLANs (RTM_GETLINK of family AF_BRIDGE with RTEXT_FILTER_BRVLAN).</summary>
    public static NetlinkWriter DumpVlans() =>
        new NetlinkWriter(Kernel.RTM_GETLINK, Kernel.NLM_F_REQUEST | Kernel.NLM_F_DUMP).IfInfo(family: Kernel.AF_BRIDGE)
            .U32(Kernel.IFLA_EXT_MASK, Kernel.RTEXT_FILTER_BRVLAN);
}
