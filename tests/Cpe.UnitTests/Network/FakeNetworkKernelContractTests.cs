using Cpe.Network.Reconcile;
using Cpe.TestKit;

namespace Cpe.UnitTests.Network;

/// <summary>The network kernel contract against the fake the reconciler's unit tests use.</summary>
[Trait("Kind", "Contract")]
public sealed class FakeNetworkKernelContractTests : NetworkKernelContract
{
    readonly FakeNetworkKernel _fake = new();

    protected override INetworkKernel Kernel => _fake;

    protected override void AddPort(string name) => _fake.AddPort(name);
}
