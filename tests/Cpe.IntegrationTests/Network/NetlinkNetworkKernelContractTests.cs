using Cpe.Netlink;
using Cpe.Network.Reconcile;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Network;

/// <summary>The network kernel contract against rtnetlink, in a network namespace of its own (needs root).</summary>
[Trait("Needs", "root")]
[Trait("Kind", "Contract")]
public sealed class NetlinkNetworkKernelContractTests : NetworkKernelContract
{
    readonly TestNamespace _ns = new();
    readonly RouteNetlink _rtnl;
    readonly NetlinkNetworkKernel _kernel;

    public NetlinkNetworkKernelContractTests()
    {
        _rtnl = RouteNetlink.OpenIn(_ns.Path);
        _kernel = new NetlinkNetworkKernel(_rtnl);
    }

    protected override INetworkKernel Kernel => _kernel;

    // This machine's kernel has no dummy links; a veth's far end stands for the wire.
    protected override void AddPort(string name) => _ns.Ip("link", "add", name, "type", "veth", "peer", "name", name + "-w");

    public override void Dispose()
    {
        _rtnl.Dispose();
        _ns.Dispose();
        base.Dispose();
    }
}
