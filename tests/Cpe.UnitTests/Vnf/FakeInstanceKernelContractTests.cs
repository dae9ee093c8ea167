using Cpe.TestKit;
using Cpe.Vnf.Placement;

namespace Cpe.UnitTests.Vnf;

/// <summary>The VNF wiring kernel contract against the fake that InstanceWiring's unit tests use.</summary>
[Trait("Kind", "Contract")]
public sealed class FakeInstanceKernelContractTests : InstanceKernelContract
{
    readonly FakeInstanceKernel _fake = new();
    int _namespaces;

    protected override IInstanceKernel Kernel => _fake;

    protected override string NewNamespacePath() => $"/run/netns/fake-{++_namespaces}";
}
