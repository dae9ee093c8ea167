namespace Cpe.Config.Schema;

/// <summary>
/// The network sections: front ports, software bridges, SR-IOV. Which ports and PFs exist is the
/// board profile's to say; the network reconciler checks names against it at commit.
/// See docs/reference/network.md.
/// </summary>
static class NetworkSchema
{
    static readonly LeafType VlanId = new IntegerType(1, 4094);

    public static readonly ContainerNode Interfaces = new("interfaces", "Front ports and their addresses",
        new ListNode("interface", "Front port, by its name on the box's label", Types.PortName,
            new LeafNode("description", "What the port connects to (kept in the kernel as the link's alias)", Types.Description),
            new LeafNode("admin-state", "Administrative state (default up)",
                new EnumType(("up", "Port enabled"), ("down", "Port disabled: no traffic"))),
            new LeafNode("mtu", "Largest IP packet, in bytes (default 1500)", new IntegerType(68, 9216)),
            new LeafListNode("address", "Static address with prefix length", Types.IpPrefix) { MaxItems = 16 },
            new LeafNode("dhcp", "Get an IPv4 address from a DHCP server (the WAN port's factory default)", Types.Boolean))
        { MaxEntries = 64 });

    public static readonly ContainerNode Bridges = new("bridges", "Software bridges",
        new ListNode("bridge", "A Linux bridge; its netdev is br-NAME", Types.BridgeName,
            new LeafNode("description", "What the bridge is for", Types.Description),
            new LeafNode("vlan-filtering", "Forward by VLAN (802.1Q); ports then carry pvid and vlan (default false)", Types.Boolean),
            new LeafListNode("address", "Address of the box on this bridge, with prefix length", Types.IpPrefix) { MaxItems = 16 },
            new ListNode("interface", "Front port that is a member of this bridge", Types.PortName,
                new LeafNode("pvid", "VLAN of untagged frames, sent untagged (needs vlan-filtering)", VlanId),
                new LeafListNode("vlan", "VLAN carried tagged (needs vlan-filtering)", VlanId) { MaxItems = 4094 })
            { MaxEntries = 64 })
        { MaxEntries = 16 });

    public static readonly ContainerNode Sriov = new("sriov", "SR-IOV virtual functions",
        new ListNode("pf", "Physical function, by the netdev name the board profile gives it", Types.NetdevName,
            new LeafNode("vf-count", "Number of virtual functions (0 removes them all)", new IntegerType(0, 256)),
            new ListNode("vf", "Settings of one virtual function", new IntegerType(0, 255),
                new LeafNode("mac", "MAC address the VF receives on (default: the driver's)", Types.MacAddress),
                new LeafNode("vlan", "VLAN the NIC tags the VF's frames with (0 or absent: none)", new IntegerType(0, 4094)),
                new LeafNode("qos", "802.1p priority of that tag (default 0)", new IntegerType(0, 7)),
                new LeafNode("spoofcheck", "Drop frames the VF sends from another MAC (default true)", Types.Boolean),
                new LeafNode("trust", "Let the VF change its MAC and use promiscuous modes (default false)", Types.Boolean),
                new LeafNode("min-tx-rate", "Guaranteed transmit rate in Mbit/s (default 0: none)", new IntegerType(0, 100000)),
                new LeafNode("max-tx-rate", "Transmit rate limit in Mbit/s (default 0: none)", new IntegerType(0, 100000)),
                new LeafNode("link-state", "VF link (default auto)",
                    new EnumType(("auto", "Follow the PF's link"), ("enable", "Always up"), ("disable", "Always down"))))
            { MaxEntries = 256 })
        { MaxEntries = 16 });
}
