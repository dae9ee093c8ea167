using Cpe.Interop;
using Cpe.Netlink;
using Cpe.TestKit;
using Cpe.Vnf.Placement;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>
/// The VNF wiring kernel contract against the kernel (needs root): cped's side is a network namespace of the test's own,
/// each call runs on a thread in it (as cped's run in its own), and the instances' namespaces are bound under /run/netns
/// with unique names, removed after.
/// </summary>
[Trait("Needs", "root")]
[Trait("Kind", "Contract")]
public sealed class NetlinkInstanceKernelContractTests : InstanceKernelContract
{
    readonly TestNamespace _host = new();
    readonly RouteNetlink _rtnl;
    readonly IInstanceKernel _kernel;
    readonly List<string> _made = [];

    public NetlinkInstanceKernelContractTests()
    {
        _rtnl = RouteNetlink.OpenIn(_host.Path);
        _kernel = new InNamespace(new NetlinkInstanceKernel(_rtnl), _host.Path);
    }

    protected override IInstanceKernel Kernel => _kernel;

    protected override string NewNamespacePath()
    {
        string path = "/run/netns/cpe-t-" + Guid.NewGuid().ToString("N")[..10];
        _made.Add(path);
        return path;
    }

    public override void Dispose()
    {
        foreach (var path in _made) NamedNetworkNamespace.Delete(path);
        _rtnl.Dispose();
        _host.Dispose();
        base.Dispose();
    }

    /// <summary>Runs each call on a thread in the namespace at <paramref name="netns"/>.</summary>
    sealed class InNamespace(IInstanceKernel inner, string netns) : IInstanceKernel
    {
        T In<T>(Func<T> call) => Namespaces.Run(netns, Namespaces.CLONE_NEWNET, call);
        void In(Action call) => Namespaces.RunInNetwork(netns, call);

        public void CreateNamespace(string path) => In(() => inner.CreateNamespace(path));
        public bool NamespaceExists(string path) => In(() => inner.NamespaceExists(path));
        public void DeleteNamespace(string path) => In(() => inner.DeleteNamespace(path));
        public IReadOnlyList<LinkInfo> Links() => In(inner.Links);
        public LinkInfo? Link(string name) => In(() => inner.Link(name));
        public void CreateVethInto(string hostEnd, string inside, string path, byte[] insideMac) => In(() => inner.CreateVethInto(hostEnd, inside, path, insideMac));
        public void PrepareHostEnd(string hostEnd) => In(() => inner.PrepareHostEnd(hostEnd));
        public void DeleteLink(LinkInfo link) => In(() => inner.DeleteLink(link));
        public IReadOnlyList<LinkInfo> LinksInside(string path) => In(() => inner.LinksInside(path));
        public void BringUpInside(string path, IReadOnlyList<string> names) => In(() => inner.BringUpInside(path, names));
    }
}
