namespace Cpe.Netlink;

// Netlink and rtnetlink constants under the kernel's own names (linux/netlink.h, linux/rtnetlink.h,
// linux/if_link.h, linux/if_addr.h, linux/if.h). Only what this library uses.
#pragma warning disable CA1707 // the kernel's names, underscores included
internal static class Kernel
{
    public const int AF_NETLINK = 16, NETLINK_ROUTE = 0, NETLINK_NETFILTER = 12, AF_UNSPEC = 0, AF_INET = 2, AF_INET6 = 10, AF_BRIDGE = 7;
    public const int SOL_NETLINK = 270, NETLINK_EXT_ACK = 11, NETLINK_GET_STRICT_CHK = 12, NETLINK_ADD_MEMBERSHIP = 1;
    public const int ENOBUFS = 105;

    public const int NLMSG_HDRLEN = 16;
    public const ushort NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3;
    public const ushort NLM_F_REQUEST = 0x1, NLM_F_MULTI = 0x2, NLM_F_ACK = 0x4, NLM_F_DUMP = 0x300;
    public const ushort NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400, NLM_F_APPEND = 0x800;
    public const ushort NLM_F_ACK_TLVS = 0x200;
    public const ushort NLMSGERR_ATTR_MSG = 1;

    public const ushort RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_SETLINK = 19;
    public const ushort RTM_NEWADDR = 20, RTM_DELADDR = 21, RTM_GETADDR = 22;
    public const ushort RTM_NEWROUTE = 24, RTM_DELROUTE = 25, RTM_GETROUTE = 26;

    public const int IFINFOMSG_LEN = 16, IFADDRMSG_LEN = 8, RTMSG_LEN = 12;

    public const ushort IFLA_ADDRESS = 1, IFLA_BROADCAST = 2, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_LINK = 5, IFLA_MASTER = 10;
    public const ushort IFLA_OPERSTATE = 16, IFLA_LINKINFO = 18, IFLA_IFALIAS = 20, IFLA_EXT_MASK = 29, IFLA_NET_NS_FD = 28;
    public const ushort IFLA_CARRIER = 33, IFLA_STATS64 = 23;
    public const ushort IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2;
    public const ushort VETH_INFO_PEER = 1;
    public const ushort IFLA_MACVLAN_MODE = 1;
    public const uint RTEXT_FILTER_VF = 1, RTEXT_FILTER_SKIP_STATS = 8;

    public const uint IFF_UP = 0x1, IFF_RUNNING = 0x40, IFF_LOWER_UP = 0x10000;

    public const ushort IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3;

    public const ushort RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PRIORITY = 6, RTA_TABLE = 15;
    public const byte RT_TABLE_MAIN = 254, RTPROT_BOOT = 3, RT_SCOPE_UNIVERSE = 0, RT_SCOPE_LINK = 253, RT_SCOPE_NOWHERE = 255;
    public const byte RTN_UNICAST = 1;

    public const ushort NLA_F_NESTED = 0x8000, NLA_TYPE_MASK = 0x3fff;

    // Bridge: FDB (neighbour messages of family AF_BRIDGE), ports, VLANs (linux/neighbour.h, linux/if_bridge.h).
    public const ushort RTM_NEWNEIGH = 28, RTM_DELNEIGH = 29, RTM_GETNEIGH = 30;
    public const int NDMSG_LEN = 12;
    public const ushort NDA_DST = 1, NDA_LLADDR = 2, NDA_VLAN = 5, NDA_MASTER = 9;
    public const ushort NUD_REACHABLE = 0x02, NUD_NOARP = 0x40, NUD_PERMANENT = 0x80;
    public const byte NTF_SELF = 0x02, NTF_MASTER = 0x04, NTF_ROUTER = 0x80;
    public const ushort IFLA_PROTINFO = 12, IFLA_AF_SPEC = 26;
    public const ushort IFLA_BRPORT_LEARNING = 8, IFLA_BRPORT_UNICAST_FLOOD = 9;
    public const ushort IFLA_BR_VLAN_FILTERING = 7;
    public const ushort IFLA_BRIDGE_VLAN_INFO = 2;
    public const ushort BRIDGE_VLAN_INFO_PVID = 0x2, BRIDGE_VLAN_INFO_UNTAGGED = 0x4;
    public const uint RTEXT_FILTER_BRVLAN = 2;

    // SR-IOV virtual functions (linux/if_link.h): per-VF settings nested in IFLA_VFINFO_LIST/IFLA_VF_INFO.
    public const ushort IFLA_NUM_VF = 21, IFLA_VFINFO_LIST = 22, IFLA_VF_INFO = 1;
    public const ushort IFLA_VF_MAC = 1, IFLA_VF_VLAN = 2, IFLA_VF_TX_RATE = 3, IFLA_VF_SPOOFCHK = 4, IFLA_VF_LINK_STATE = 5,
        IFLA_VF_RATE = 6, IFLA_VF_TRUST = 9;
}
#pragma warning restore CA1707
