namespace Cpe.Config.Schema;

/// <summary>
/// The network sections: front ports, software bridges, SR-IOV. Which ports and PFs exist is the board profile's to
/// say; the network reconciler checks names against it at commit, reading the sections through these nodes (their
/// names and defaults are written here only). See docs/reference/network.md. Each section's nodes, its container
/// included, live in its nested class, and the outer class holds no node: a nested class reaching the outer one (for
/// <c>VlanId</c>) while a reader's first touch runs its initializer must never find a container half made.
/// </summary>
public static class NetworkSchema
{
    static readonly LeafType VlanId = new IntegerType(1, 4094);

    public static class Port
    {
        public static readonly LeafNode Description = new("description", "What the port connects to (kept in the kernel as the link's alias)", Types.Description);
        public static readonly LeafNode AdminState = new("admin-state", "Administrative state (default up)",
            new EnumType(("up", "Port enabled"), ("down", "Port disabled: no traffic")))
        { Default = "up" };
        public static readonly LeafNode Mtu = new("mtu", "Largest IP packet, in bytes (default 1500)", new IntegerType(68, 9216)) { Default = 1500L };
        public static readonly LeafListNode Address = new("address", "Static address with prefix length", Types.IpPrefix) { MaxItems = 16 };
        public static readonly LeafNode Dhcp = new("dhcp", "Get an IPv4 address from a DHCP server (default false; the WAN port's factory default sets it)", Types.Boolean) { Default = false };

        public static readonly ListNode List = new("interface", "Front port, by its name on the box's label", Types.PortName,
            Description, AdminState, Mtu, Address, Dhcp)
        { MaxEntries = 64 };

        public static readonly ContainerNode Container = new("interfaces", "Front ports and their addresses", List);
    }

    public static ContainerNode Interfaces => Port.Container;

    public static class Bridge
    {
        public static readonly LeafNode Description = new("description", "What the bridge is for", Types.Description);
        public static readonly LeafNode VlanFiltering = new("vlan-filtering", "Forward by VLAN (802.1Q); ports then carry pvid and vlan (default false)", Types.Boolean) { Default = false };
        public static readonly LeafListNode Address = new("address", "Address of the box on this bridge, with prefix length", Types.IpPrefix) { MaxItems = 16 };
        public static readonly LeafNode Pvid = new("pvid", "VLAN of untagged frames, sent untagged (needs vlan-filtering; default 1)", VlanId) { Default = 1L };
        public static readonly LeafListNode Vlan = new("vlan", "VLAN carried tagged (needs vlan-filtering)", VlanId) { MaxItems = 4094 };

        public static readonly ListNode Member = new("interface", "Front port that is a member of this bridge", Types.PortName,
            Pvid, Vlan)
        { MaxEntries = 64 };

        public static readonly ListNode List = new("bridge", "A Linux bridge; its netdev is br-NAME", Types.BridgeName,
            Description, VlanFiltering, Address, Member)
        { MaxEntries = 16 };

        public static readonly ContainerNode Container = new("bridges", "Software bridges", List);
    }

    public static ContainerNode Bridges => Bridge.Container;

    public static class Vf
    {
        public static readonly LeafNode Mac = new("mac", "MAC address the VF receives on (default: the driver's)", Types.MacAddress);
        public static readonly LeafNode Vlan = new("vlan", "VLAN the NIC tags the VF's frames with (default 0: none)", new IntegerType(0, 4094)) { Default = 0L };
        public static readonly LeafNode Qos = new("qos", "802.1p priority of that tag (default 0)", new IntegerType(0, 7)) { Default = 0L };
        public static readonly LeafNode SpoofCheck = new("spoofcheck", "Drop frames the VF sends from another MAC (default true)", Types.Boolean) { Default = true };
        public static readonly LeafNode Trust = new("trust", "Let the VF change its MAC and use promiscuous modes (default false)", Types.Boolean) { Default = false };
        public static readonly LeafNode MinTxRate = new("min-tx-rate", "Guaranteed transmit rate in Mbit/s (default 0: none)", new IntegerType(0, 100000)) { Default = 0L };
        public static readonly LeafNode MaxTxRate = new("max-tx-rate", "Transmit rate limit in Mbit/s (default 0: none)", new IntegerType(0, 100000)) { Default = 0L };
        public static readonly LeafNode LinkState = new("link-state", "VF link (default auto)",
            new EnumType(("auto", "Follow the PF's link"), ("enable", "Always up"), ("disable", "Always down")))
        { Default = "auto" };

        public static readonly ListNode List = new("vf", "Settings of one virtual function", new IntegerType(0, 255),
            Mac, Vlan, Qos, SpoofCheck, Trust, MinTxRate, MaxTxRate, LinkState)
        { MaxEntries = 256 };
    }

    public static class Pf
    {
        public static readonly LeafNode VfCount = new("vf-count", "Number of virtual functions (default 0; 0 removes them all)", new IntegerType(0, 256)) { Default = 0L };

        public static readonly ListNode List = new("pf", "Physical function, by the netdev name the board profile gives it", Types.NetdevName,
            VfCount, Vf.List)
        { MaxEntries = 16 };

        public static readonly ContainerNode Container = new("sriov", "SR-IOV virtual functions", List);
    }

    public static ContainerNode Sriov => Pf.Container;
}
