using System.Buffers.Binary;

namespace Cpe.Netlink;

/// <summary>
/// Per-VF settings on a PF: RTM_NEWLINK with IFLA_VFINFO_LIST { IFLA_VF_INFO { one setting } }, each setting
/// a fixed struct led by the VF number, as `ip link set PF vf N …` sends them.
/// </summary>
public static class RtnlVfRequests
{
    /// <summary>struct ifla_vf_mac: the VF, then 32 bytes of address (6 used).</summary>
    public static NetlinkWriter SetMac(int pfIndex, int vf, ReadOnlySpan<byte> mac)
    {
        Span<byte> s = stackalloc byte[36];
        s.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)vf);
        mac.CopyTo(s[4..]);
        return Setting(pfIndex, Kernel.IFLA_VF_MAC, s);
    }

    /// <summary>struct ifla_vf_vlan: VLAN 0 removes the VF's port VLAN.</summary>
    public static NetlinkWriter SetVlan(int pfIndex, int vf, ushort vlan, byte qos)
    {
        if (vlan > 4094) throw new ArgumentOutOfRangeException(nameof(vlan), vlan, "a VF VLAN is 0 (none) to 4094");
        if (qos > 7) throw new ArgumentOutOfRangeException(nameof(qos), qos, "a VLAN priority is 0 to 7");
        return Setting(pfIndex, Kernel.IFLA_VF_VLAN, Words(vf, vlan, qos));
    }

    public static NetlinkWriter SetSpoofCheck(int pfIndex, int vf, bool on) => Setting(pfIndex, Kernel.IFLA_VF_SPOOFCHK, Words(vf, on ? 1u : 0u));

    public static NetlinkWriter SetTrust(int pfIndex, int vf, bool on) => Setting(pfIndex, Kernel.IFLA_VF_TRUST, Words(vf, on ? 1u : 0u));

    /// <summary>struct ifla_vf_rate, in Mbit/s; 0 means no limit.</summary>
    public static NetlinkWriter SetRate(int pfIndex, int vf, uint minMbps, uint maxMbps) =>
        Setting(pfIndex, Kernel.IFLA_VF_RATE, Words(vf, minMbps, maxMbps));

    public static NetlinkWriter SetLinkState(int pfIndex, int vf, VfLinkState state) =>
        Setting(pfIndex, Kernel.IFLA_VF_LINK_STATE, Words(vf, (uint)state));

    static NetlinkWriter Setting(int pfIndex, ushort type, ReadOnlySpan<byte> value)
    {
        var w = new NetlinkWriter(Kernel.RTM_NEWLINK, Kernel.NLM_F_REQUEST | Kernel.NLM_F_ACK).IfInfo(pfIndex);
        int list = w.Begin(Kernel.IFLA_VFINFO_LIST);
        int info = w.Begin(Kernel.IFLA_VF_INFO);
        w.Attr(type, value);
        return w.End(info).End(list);
    }

    static byte[] Words(int vf, params uint[] values)
    {
        var bytes = new byte[4 + 4 * values.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)vf);
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4 + 4 * i), values[i]);
        return bytes;
    }
}
