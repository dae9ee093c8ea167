using Cpe.Network.Sriov;

namespace Cpe.UnitTests.Network;

public class VfAllocatorTests
{
    static VfAllocator Allocator(int vfs = 2) => new(pf => pf == "eth0" ? vfs : 0);

    [Fact]
    public void Never_hands_out_a_vf_twice()
    {
        var a = Allocator();
        var fw = a.Allocate("eth0", "vnf fw eth1");
        var nat = a.Allocate("eth0", "vnf nat eth1");
        Assert.NotEqual(fw.Vf, nat.Vf);
        Assert.Equal(fw, a.Allocate("eth0", "vnf fw eth1"));   // asking again returns the same VF
        Assert.Equal(2, a.Assignments.Count);
    }

    [Fact]
    public void A_full_pf_is_a_clear_error_naming_the_holders()
    {
        var a = Allocator();
        a.Allocate("eth0", "fw");
        a.Allocate("eth0", "nat");
        var e = Assert.Throws<SriovException>(() => a.Allocate("eth0", "router"));
        Assert.Equal("eth0 has no free virtual function for router: all 2 are in use (vf 0: fw, vf 1: nat)", e.Message);
        Assert.Contains("has no virtual functions", Assert.Throws<SriovException>(() => a.Allocate("eth9", "x")).Message);
    }

    [Fact]
    public void Released_vfs_are_reused_lowest_first()
    {
        var a = Allocator(3);
        a.Allocate("eth0", "fw");
        a.Allocate("eth0", "nat");
        Assert.Equal(1, a.Release("fw"));
        Assert.Equal(0, a.Allocate("eth0", "router").Vf);
    }

    [Fact]
    public void Restore_brings_back_persisted_assignments_and_refuses_a_double_claim()
    {
        var a = Allocator();
        a.Restore([new VfAssignment("eth0", 1, "nat")]);
        Assert.Equal(0, a.Allocate("eth0", "fw").Vf);
        var e = Assert.Throws<SriovException>(() => a.Restore([new VfAssignment("eth0", 1, "router")]));
        Assert.Equal("eth0 vf 1 is claimed by both nat and router", e.Message);
    }
}
