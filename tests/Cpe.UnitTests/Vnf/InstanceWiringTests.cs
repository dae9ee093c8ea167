using Cpe.TestKit;
using Cpe.Vnf;
using Cpe.Vnf.Packages;
using Cpe.Vnf.Placement;

namespace Cpe.UnitTests.Vnf;

/// <summary>An instance's wiring over the fake kernel (its contract keeps it to the kernel's answers): no root needed.</summary>
[Trait("Kind", "Unit")]
public class InstanceWiringTests
{
    readonly FakeInstanceKernel _kernel = new();
    readonly InstanceWiring _wiring;

    public InstanceWiringTests() => _wiring = new InstanceWiring(_kernel, null, new Lock(), "vnf-", []);

    IReadOnlyList<WiredInterface> Planned(string instance) =>
    [
        new("eth0", InterfaceRole.Ingress, _wiring.HostDevice(instance, 0), _wiring.Mac(instance, "eth0")),
        new("eth1", InterfaceRole.Egress, _wiring.HostDevice(instance, 1), _wiring.Mac(instance, "eth1")),
    ];

    [Fact]
    public void An_instance_gets_its_namespace_and_a_pair_per_interface_all_up()
    {
        var wired = _wiring.Wire("fw-0", Planned("fw-0"));
        string netns = _wiring.NamespacePath("fw-0");
        Assert.Equal("/run/netns/vnf-fw-0", netns);
        Assert.True(_kernel.NamespaceExists(netns));
        foreach (var w in wired)
        {
            Assert.True(_kernel.Link(w.HostDevice!) is { Kind: "veth", AdminUp: true }, $"{w.HostDevice} is not an up veth");
            var inside = _kernel.LinksInside(netns).Single(l => l.Name == w.Name);
            Assert.Equal((true, w.MacText), (inside.AdminUp, inside.Mac));
        }
        Assert.True(_kernel.LinksInside(netns).Single(l => l.Name == "lo").AdminUp);
    }

    [Fact]
    public void Wiring_again_changes_nothing()
    {
        _wiring.Wire("fw-0", Planned("fw-0"));
        int changes = _kernel.Changes.Count;
        _wiring.Wire("fw-0", Planned("fw-0"));
        Assert.Equal(changes, _kernel.Changes.Count);
    }

    [Fact]
    public void Names_and_macs_are_stable_per_instance_and_differ_between_instances()
    {
        Assert.Equal(_wiring.HostDevice("fw-0", 0), new InstanceWiring(new FakeInstanceKernel(), null, new Lock(), "vnf-", []).HostDevice("fw-0", 0));
        Assert.NotEqual(_wiring.HostDevice("fw-0", 0), _wiring.HostDevice("fw-1", 0));
        Assert.True(_wiring.HostDevice("a-very-long-instance-name-7", 1).Length <= 15, "Linux names are at most 15 bytes");
        var mac = _wiring.Mac("fw-0", "eth0");
        Assert.Equal(0x02, mac[0]);   // locally administered, unicast
    }

    [Fact]
    public void Unwiring_removes_the_pairs_and_the_namespace_and_leaves_other_instances()
    {
        _wiring.Wire("fw-0", Planned("fw-0"));
        _wiring.Wire("fw-1", Planned("fw-1"));
        _wiring.Unwire("fw-0");
        Assert.False(_kernel.NamespaceExists(_wiring.NamespacePath("fw-0")));
        Assert.DoesNotContain(_kernel.Links(), l => l.Name.StartsWith(_wiring.HostDevice("fw-0", 0)[..^1], StringComparison.Ordinal));
        Assert.Equal(2, _kernel.Links().Count(l => l.Kind == "veth"));
        Assert.True(_kernel.NamespaceExists(_wiring.NamespacePath("fw-1")));
    }

    [Fact]
    public void A_vf_interface_on_a_board_without_sr_iov_is_refused_before_any_pair_is_made()
    {
        IReadOnlyList<WiredInterface> planned = [new("eth0", InterfaceRole.Ingress, null, [], Pf: "sriov0")];
        var e = Assert.Throws<VnfWiringException>(() => _wiring.Wire("fw-0", planned));
        Assert.Contains("the board has no SR-IOV", e.Message);
        Assert.DoesNotContain(_kernel.Links(), l => l.Kind == "veth");
    }
}
