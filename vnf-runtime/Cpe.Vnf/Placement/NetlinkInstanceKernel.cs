using Cpe.Interop;
using Cpe.Netlink;

namespace Cpe.Vnf.Placement;

/// <summary>VNF wiring's kernel: rtnetlink on cped's socket, namespaces bound under /run/netns, sysctls and ethtool.</summary>
public sealed class NetlinkInstanceKernel(RouteNetlink rtnl) : IInstanceKernel
{
    public void CreateNamespace(string netns) => NamedNetworkNamespace.Create(netns);

    public bool NamespaceExists(string netns) => NamedNetworkNamespace.Exists(netns);

    public void DeleteNamespace(string netns) => NamedNetworkNamespace.Delete(netns);

    public IReadOnlyList<LinkInfo> Links() => rtnl.Links();

    public LinkInfo? Link(string name) => rtnl.Link(name);

    public void CreateVethInto(string hostEnd, string inside, string netns, byte[] insideMac)
    {
        using var fd = File.OpenHandle(netns);
        rtnl.CreateVethInto(hostEnd, inside, (int)fd.DangerousGetHandle(), insideMac);
    }

    public void PrepareHostEnd(string hostEnd)
    {
        var link = rtnl.RequireLink(hostEnd);
        // No router solicitations or addresses of its own into the VNF.
        WriteSysctl($"/proc/sys/net/ipv6/conf/{hostEnd}/disable_ipv6", "1");
        // Frames forwarded into the VNF leave the host end: without segmentation and checksum offloads there, the
        // kernel cuts merged (GRO, TSO) frames to wire size and completes checksums before a VNF reads them.
        foreach (uint offload in new[] { Ethtool.ETHTOOL_STSO, Ethtool.ETHTOOL_SGSO, Ethtool.ETHTOOL_STXCSUM })
            Ethtool.Set(hostEnd, offload, false);
        if (!link.AdminUp) rtnl.SetAdminState(link.Index, true, hostEnd);
    }

    public void DeleteLink(LinkInfo link) => rtnl.DeleteLink(link.Index, link.Name);

    public IReadOnlyList<LinkInfo> LinksInside(string netns)
    {
        using var inside = RouteNetlink.OpenIn(netns);
        return inside.Links();
    }

    public void BringUpInside(string netns, IReadOnlyList<string> names) => Namespaces.RunInNetwork(netns, () =>
    {
        WriteSysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
        WriteSysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
        using var inside = RouteNetlink.Open();
        inside.SetAdminState(inside.RequireLink("lo").Index, true, "lo");
        foreach (string name in names)
        {
            var link = inside.RequireLink(name);
            WriteSysctl($"/proc/sys/net/ipv6/conf/{name}/disable_ipv6", "1");
            if (!link.AdminUp) inside.SetAdminState(link.Index, true, name);
        }
    });

    static void WriteSysctl(string path, string value)
    {
        if (File.Exists(path)) File.WriteAllText(path, value);
    }
}
