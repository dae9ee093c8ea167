using Cpe.Netlink;

namespace Cpe.Vnf.Placement;

/// <summary>
/// What VNF wiring asks of the kernel, shaped by <see cref="InstanceWiring"/>: a named network namespace per instance,
/// veth pairs between cped's namespace and an instance's, and the links on either side.
/// <see cref="NetlinkInstanceKernel"/> is the kernel; a fake in the test kit answers as it does (InstanceKernelContract).
/// </summary>
public interface IInstanceKernel
{
    /// <summary>Makes the network namespace bound at <paramref name="netns"/>; one already there is kept.</summary>
    void CreateNamespace(string netns);

    bool NamespaceExists(string netns);

    /// <summary>Unbinds and removes the namespace at <paramref name="netns"/>; none there is fine.</summary>
    void DeleteNamespace(string netns);

    /// <summary>Links in cped's namespace.</summary>
    IReadOnlyList<LinkInfo> Links();

    LinkInfo? Link(string name);

    /// <summary>A veth pair, both ends down: <paramref name="hostEnd"/> here, <paramref name="inside"/> with <paramref name="insideMac"/> born in <paramref name="netns"/>.</summary>
    void CreateVethInto(string hostEnd, string inside, string netns, byte[] insideMac);

    /// <summary>
    /// Readies a pair's host end to carry a chain's frames and nothing else: no IPv6 of its own, no segmentation or
    /// checksum offloads (frames reach the VNF at wire size, checksums complete), up.
    /// </summary>
    void PrepareHostEnd(string hostEnd);

    /// <summary>Deletes a link of cped's namespace (a veth's end takes its peer with it).</summary>
    void DeleteLink(LinkInfo link);

    /// <summary>The links inside the namespace at <paramref name="netns"/>, loopback included.</summary>
    IReadOnlyList<LinkInfo> LinksInside(string netns);

    /// <summary>Inside the namespace at <paramref name="netns"/>: loopback up, no IPv6 autoconfiguration, each of <paramref name="names"/> up.</summary>
    void BringUpInside(string netns, IReadOnlyList<string> names);
}
