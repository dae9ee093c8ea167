using Cpe.Interop;
using Cpe.Netlink;
using Cpe.Vnf.Placement;

namespace Cpe.TestKit;

/// <summary>
/// An in-memory kernel for VNF wiring: named namespaces, each with its links (cped's is ""), veth pairs whose ends
/// go together, and the kernel's answers (EEXIST for a name taken, ENODEV for a link or namespace not there), kept
/// honest by InstanceKernelContract, which runs the same tests against it and against the kernel.
/// </summary>
public sealed class FakeInstanceKernel : IInstanceKernel
{
    const int ENOENT = 2, EEXIST = 17, ENODEV = 19;
    const string Host = "";
    readonly Dictionary<string, List<LinkInfo>> _namespaces = new(StringComparer.Ordinal) { [Host] = [Loopback(1)] };
    readonly Dictionary<string, (string Netns, string Name)> _peers = new(StringComparer.Ordinal);
    int _nextIndex = 2;

    /// <summary>Changes made, in order ("create veth vab12cd340", "up fw-0 eth0"…): what a second, idempotent wiring must not add to.</summary>
    public List<string> Changes { get; } = [];

    static LinkInfo Loopback(int index) => new(index, "lo", null, false, false, 65536, "00:00:00:00:00:00", null, null, "UNKNOWN", null);

    List<LinkInfo> In(string netns, string call) =>
        _namespaces.TryGetValue(netns, out var links) ? links : throw new LinuxException(call, netns, ENOENT);

    public void CreateNamespace(string netns)
    {
        if (_namespaces.TryAdd(netns, [Loopback(1)])) Changes.Add($"create namespace {netns}");
    }

    public bool NamespaceExists(string netns) => netns != Host && _namespaces.ContainsKey(netns);

    public void DeleteNamespace(string netns)
    {
        if (netns == Host || !_namespaces.Remove(netns, out var links)) return;
        Changes.Add($"delete namespace {netns}");
        // As the kernel does: a veth end inside takes its peer with it.
        foreach (var link in links.Where(l => l.Kind == "veth")) RemovePeerOf(netns, link.Name);
    }

    public IReadOnlyList<LinkInfo> Links() => [.. _namespaces[Host]];

    public LinkInfo? Link(string name) => _namespaces[Host].FirstOrDefault(l => l.Name == name);

    public void CreateVethInto(string hostEnd, string inside, string netns, byte[] insideMac)
    {
        var there = In(netns, "open");
        if (Link(hostEnd) is not null) throw new NetlinkException(EEXIST, "RTM_NEWLINK", hostEnd);
        if (there.Any(l => l.Name == inside)) throw new NetlinkException(EEXIST, "RTM_NEWLINK", hostEnd);
        Changes.Add($"create veth {hostEnd}");
        _namespaces[Host].Add(Veth(hostEnd, $"02:00:00:00:{_nextIndex >> 8 & 0xff:x2}:{_nextIndex & 0xff:x2}"));
        there.Add(Veth(inside, string.Join(":", insideMac.Select(b => b.ToString("x2")))));
        _peers[hostEnd] = (netns, inside);
    }

    LinkInfo Veth(string name, string mac) => new(_nextIndex++, name, "veth", false, false, 1500, mac, null, null, "DOWN", null);

    public void PrepareHostEnd(string hostEnd)
    {
        var link = Link(hostEnd) ?? throw new NetlinkException(ENODEV, "RTM_GETLINK", hostEnd);
        if (link.AdminUp) return;
        Changes.Add($"up {hostEnd}");
        Replace(Host, link with { AdminUp = true });
    }

    public void DeleteLink(LinkInfo link)
    {
        if (!_namespaces[Host].Any(l => l.Index == link.Index && l.Name == link.Name)) throw new NetlinkException(ENODEV, "RTM_DELLINK", link.Name);
        Changes.Add($"delete {link.Name}");
        _namespaces[Host].RemoveAll(l => l.Name == link.Name);
        if (_peers.Remove(link.Name, out var peer) && _namespaces.TryGetValue(peer.Netns, out var there)) there.RemoveAll(l => l.Name == peer.Name);
    }

    void RemovePeerOf(string netns, string inside)
    {
        foreach (var (hostEnd, peer) in _peers.Where(p => p.Value == (netns, inside)).ToList())
        {
            _peers.Remove(hostEnd);
            _namespaces[Host].RemoveAll(l => l.Name == hostEnd);
        }
    }

    public IReadOnlyList<LinkInfo> LinksInside(string netns) => [.. In(netns, "open")];

    public void BringUpInside(string netns, IReadOnlyList<string> names)
    {
        var there = In(netns, "setns");
        foreach (var name in names.Prepend("lo"))
        {
            var link = there.FirstOrDefault(l => l.Name == name) ?? throw new NetlinkException(ENODEV, "RTM_GETLINK", name);
            if (link.AdminUp) continue;
            Changes.Add($"up {netns} {name}");
            Replace(netns, link with { AdminUp = true });
        }
    }

    void Replace(string netns, LinkInfo link)
    {
        var links = _namespaces[netns];
        links[links.FindIndex(l => l.Index == link.Index)] = link;
    }
}
