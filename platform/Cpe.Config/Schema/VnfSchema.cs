using System.Text.RegularExpressions;

namespace Cpe.Config.Schema;

/// <summary>
/// The VNF and service chain sections. Which packages are in the image store, and whether the VNFs fit the box, is the
/// VNF subsystem's to say at commit (admission control). See docs/reference/vnf-configuration.md. As in
/// <see cref="NetworkSchema"/>, each section's nodes, its container included, live in its nested class, and the outer
/// class holds only leaf types, so that whichever class a reader touches first, no container is made half-initialised.
/// </summary>
public static partial class VnfSchema
{
    [GeneratedRegex(@"^[a-z][a-z0-9-]{0,14}$")]
    private static partial Regex VnfNamePattern();

    [GeneratedRegex(@"^[a-z][a-z0-9-]{0,30}(:[A-Za-z0-9._+-]{1,64})?$")]
    private static partial Regex PackageReferencePattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,63}=[^\x00-\x1f\x7f]{0,1024}$")]
    private static partial Regex EnvironmentPattern();

    [GeneratedRegex(@"^(0|[1-9][0-9]?)(\.[0-9]{1,2})?$")]
    private static partial Regex CpusPattern();

    [GeneratedRegex(@"^[1-9][0-9]{0,12}[KMG]?$")]
    private static partial Regex SizePattern();

    static readonly LeafType VnfName = new TextType("<vnf-name>",
        "must be a VNF name: a lowercase letter, then up to 14 lowercase letters, digits or hyphens", VnfNamePattern(), 15);

    public static class Vnf
    {
        public static readonly LeafNode Package = new("package", "Image store package, NAME or NAME:VERSION (NAME alone: the newest version)",
            new TextType("<package>", "must be a package name, optionally with :VERSION, such as firewall:0.1.0", PackageReferencePattern(), 96));
        public static readonly LeafNode Replicas = new("replicas", "Instances sharing the traffic of its chain hop by flow (default 1)", new IntegerType(1, 8)) { Default = 1L };
        public static readonly LeafNode AdminState = new("admin-state", "Run it or not (default up)",
            new EnumType(("up", "Running, restarted when it fails"), ("down", "Stopped, its chain hop bypassed or dropped")))
        { Default = "up" };
        public static readonly LeafNode Cpus = new("cpus", "CPU share per replica, in cores (default: the package's)",
            new TextType("<cores>", "must be a number of cores from 0.01 to 99.99, such as 0.5", CpusPattern(), 5));
        public static readonly LeafNode Memory = new("memory", "Memory limit per replica, bytes with K, M or G (default: the package's)",
            new TextType("<size>", "must be a size such as 64M or 1G", SizePattern(), 14));
        public static readonly LeafListNode Environment = new("environment", "Environment variable for the VNF, NAME=VALUE",
            new TextType("<name=value>", "must be NAME=VALUE, NAME of letters, digits and '_'", EnvironmentPattern(), 1100))
        { MaxItems = 64 };

        public static readonly ListNode List = new("vnf", "A VNF run from a package in the image store, as one or more replicas", VnfName,
            Package, Replicas, AdminState, Cpus, Memory, Environment)
        { Mandatory = [Package.Name], MaxEntries = 32 };

        public static readonly ContainerNode Container = new("vnfs", "Virtual network functions", List);
    }

    public static ContainerNode Vnfs => Vnf.Container;

    public static class Match
    {
        public static readonly LeafListNode Dscp = new("dscp", "DSCP value (any of those listed)", new IntegerType(0, 63)) { MaxItems = 64 };
        public static readonly LeafNode Protocol = new("protocol", "IP protocol", new EnumType(("tcp", "TCP (6)"), ("udp", "UDP (17)"), ("icmp", "ICMP (1)")));
        public static readonly LeafNode SourcePrefix = new("source-prefix", "IPv4 source prefix", Types.IpPrefix);
        public static readonly LeafNode DestinationPrefix = new("destination-prefix", "IPv4 destination prefix", Types.IpPrefix);
        public static readonly LeafNode SourcePort = new("source-port", "TCP or UDP source port", Types.Port);
        public static readonly LeafNode DestinationPort = new("destination-port", "TCP or UDP destination port", Types.Port);

        public static readonly ContainerNode Container = new("match", "Which ingress traffic enters the chain (nothing set: all of it)",
            Dscp, Protocol, SourcePrefix, DestinationPrefix, SourcePort, DestinationPort);
    }

    public static class Chain
    {
        public static readonly LeafNode Description = new("description", "What the chain is for", Types.Description);
        public static readonly LeafNode Ingress = new("ingress", "Front port whose classified traffic enters the chain", Types.PortName);
        public static readonly LeafNode Egress = new("egress", "Front port the chain's traffic leaves by", Types.PortName);
        public static readonly LeafListNode Hop = new("hop", "VNF the traffic passes, in order", VnfName) { MaxItems = 8 };
        public static readonly LeafNode Bypass = new("bypass", "What happens while a hop's VNF has no replica running (default fail-closed)",
            new EnumType(("fail-closed", "The chain's traffic is dropped"), ("fail-open", "The hop is skipped")))
        { Default = "fail-closed" };

        public static readonly ListNode List = new("chain", "VNFs traffic passes through, in order, between two front ports", VnfName,
            Description, Ingress, Egress, Hop, Bypass, Match.Container)
        { Mandatory = [Ingress.Name, Egress.Name], MaxEntries = 16 };

        public static readonly ContainerNode Container = new("chains", "Service chains", List);
    }

    public static ContainerNode Chains => Chain.Container;
}
