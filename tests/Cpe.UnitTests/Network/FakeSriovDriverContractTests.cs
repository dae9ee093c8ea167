using Cpe.Network.Sriov;
using Cpe.TestKit;

namespace Cpe.UnitTests.Network;

/// <summary>The SR-IOV driver contract against the fake that unit tests of the reconciler and VNF wiring use.</summary>
[Trait("Kind", "Contract")]
public sealed class FakeSriovDriverContractTests : SriovDriverContract
{
    readonly FakeSriovDriver _fake = new();
    int _namespaces;

    public FakeSriovDriverContractTests() => _fake.AddPf(Pf, TotalVfs);

    protected override ISriovDriver Driver => _fake;

    protected override string NewNamespace() => $"/run/netns/fake-{++_namespaces}";

    protected override bool IsHere(string netdev) => _fake.IsHere(netdev);

    protected override string? MacInside(string netns, string name) => _fake.MacInside(netns, name);
}
