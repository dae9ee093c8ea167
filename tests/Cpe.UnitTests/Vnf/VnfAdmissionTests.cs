using System.Text.Json.Nodes;
using Cpe.Vnf.Chains;
using Cpe.Vnf.Packages;
using Cpe.Vnf.Placement;

namespace Cpe.UnitTests.Vnf;

/// <summary>Admission control's arithmetic and messages, and the VNF and chain sections read from a configuration.</summary>
[Trait("Kind", "Unit")]
public sealed class VnfAdmissionTests
{
    static VnfDescriptor Descriptor(string interfaces = "in:virtio:ingress,out:virtio:egress") => VnfDescriptor.FromLabels(new Dictionary<string, string>
    {
        ["org.cpe.vnf.name"] = "fw", ["org.cpe.vnf.version"] = "1.0.0", ["org.cpe.vnf.interfaces"] = interfaces,
    });

    /// <param name="vfPfs">The PF of each SR-IOV interface, as the VF placement found it.</param>
    static AdmittedVnf Vnf(string name, int replicas, double cpus, long memory, bool up = true, string interfaces = "in:virtio:ingress,out:virtio:egress",
        string[]? vfPfs = null) =>
        new(new VnfSpec(name, name, replicas, up, null, null, []), Descriptor(interfaces), cpus, memory, vfPfs);

    static readonly VnfResources Box = new([1, 2, 3], 1L << 30, 1L << 30, new Dictionary<string, int> { ["ge0"] = 2, ["ge1"] = 4 });

    [Fact]
    public void What_fits_is_admitted()
    {
        Assert.Empty(VnfAdmission.Check([Vnf("fw", 2, 1, 256L << 20), Vnf("nat", 1, 1, 256L << 20)], Box));
    }

    [Fact]
    public void Each_shortage_says_what_is_needed_what_there_is_and_how_much_is_missing()
    {
        var errors = VnfAdmission.Check([Vnf("fw", 2, 1.5, 512L << 20), Vnf("nat", 1, 1, 256L << 20, interfaces: "in:sriov:ingress,out:sriov:egress", vfPfs: ["ge0", "ge1"])], Box)
            .Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.Contains("the VNFs need 4 cores (fw 2 x 1.5, nat 1 x 1); the board has 3 VNF cores (1,2,3): 1 short"));
        Assert.Contains(errors, e => e.Contains("the VNFs need 1280 MiB of memory (fw 2 x 512 MiB, nat 1 x 256 MiB); 1024 MiB is left for VNFs: 256 MiB short"));
        Assert.DoesNotContain(errors, e => e.Contains("VFs"));   // one VF of each PF asked, more configured
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void VFs_and_disk_are_counted_per_replica_and_a_VNF_that_is_down_takes_no_cores()
    {
        var errors = VnfAdmission.Check([Vnf("nat", 3, 1, 1L << 20, up: false, interfaces: "in:sriov:ingress,out:virtio:egress", vfPfs: ["ge0"]),
                Vnf("rt", 1, 0, 1L << 20, interfaces: "in:sriov:ingress,out:sriov:egress", vfPfs: ["ge0", "ge9"])], Box with { DiskFreeBytes = 40L << 20 })
            .Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.Contains("the VNFs need 4 VFs of ge0 (nat 3 x 1, rt 1 x 1); sriov pf ge0 has vf-count 2: 2 short"));
        Assert.Contains(errors, e => e.Contains("the VNFs need 1 VF of ge9 (rt 1 x 1); sriov pf ge9 has vf-count 0: 1 short"));
        Assert.Contains(errors, e => e.Contains("the VNF instances need 128 MiB of disk (32 MiB each); 40 MiB is free: 88 MiB short"));
        Assert.DoesNotContain(errors, e => e.Contains("cores"));
    }

    [Fact]
    public void The_plan_reads_vnfs_and_chains_and_finds_what_contradicts_itself()
    {
        var config = JsonNode.Parse("""
            {"vnfs":{"vnf":[{"name":"fw","package":"firewall:0.1.0","replicas":2,"cpus":"0.5","memory":"32M","environment":["A=1"]},
                            {"name":"nat","package":"nat","admin-state":"down"}]},
             "chains":{"chain":[{"name":"a","ingress":"ge-0/0/1","egress":"ge-0/0/0","hop":["fw","nat"],"bypass":"fail-open",
                                 "match":{"dscp":[46],"protocol":"udp","destination-port":5060}},
                                {"name":"b","ingress":"ge-0/0/2","egress":"ge-0/0/2","hop":["fw","ghost"],
                                 "match":{"source-port":80}}]}}
            """)!.AsObject();
        var plan = VnfPlan.From(config);
        var fw = plan.Vnfs[0];
        Assert.Equal(("fw", "firewall:0.1.0", 2, true, 0.5, 32L << 20), (fw.Name, fw.Package, fw.Replicas, fw.Up, fw.Cpus, fw.MemoryBytes));
        Assert.Equal(["fw-0", "fw-1"], fw.Instances);
        Assert.False(plan.Vnfs[1].Up);
        var a = plan.Chains[0];
        Assert.Equal(BypassPolicy.FailOpen, a.Bypass);
        Assert.Equal("dscp 46 protocol udp destination-port 5060", a.MatchText);
        Assert.Equal("all", new ChainSpec("c", "x", "y", [], BypassPolicy.FailClosed, ChainClassifier.Everything).MatchText);

        var conflicts = plan.Conflicts().Select(e => e.ToString()).ToList();
        Assert.Contains(conflicts, e => e.StartsWith("chains chain b egress: is the ingress port too"));
        Assert.Contains(conflicts, e => e.StartsWith("chains chain b match: source-port and destination-port need protocol tcp or udp"));
        Assert.Contains(conflicts, e => e.StartsWith("chains chain b hop: VNF 'fw' is already a hop of chain a"));
        Assert.Contains(conflicts, e => e.StartsWith("chains chain b hop: VNF 'ghost' is not configured under vnfs"));
        Assert.Equal(4, conflicts.Count);
    }
}
