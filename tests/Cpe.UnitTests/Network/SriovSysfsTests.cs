using Cpe.Network.Sriov;

namespace Cpe.UnitTests.Network;

/// <summary>The sysfs side of SR-IOV on a folder laid out as /sys is (the kernel's reactions are tested in the lab).</summary>
[Trait("Kind", "Unit")]
public sealed class SriovSysfsTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("cpe-sysfs-").FullName;
    public void Dispose() => Directory.Delete(_root, recursive: true);

    string Device(string netdev) => Path.Combine(_root, "class", "net", netdev, "device");

    void Pf(string name, int total, int num)
    {
        Directory.CreateDirectory(Device(name));
        File.WriteAllText(Path.Combine(Device(name), "sriov_totalvfs"), $"{total}\n");
        File.WriteAllText(Path.Combine(Device(name), "sriov_numvfs"), $"{num}\n");
    }

    [Fact]
    public void Finds_physical_functions_and_their_counts()
    {
        Pf("eth1", 7, 4);
        Pf("eth0", 7, 0);
        Directory.CreateDirectory(Device("eth2"));            // a NIC without SR-IOV
        File.WriteAllText(Path.Combine(Device("eth2"), "sriov_totalvfs"), "0");
        var sysfs = new SriovSysfs(_root);
        Assert.Equal(["eth0", "eth1"], sysfs.PhysicalFunctions());
        Assert.Equal((7, 4), (sysfs.TotalVfs("eth1"), sysfs.NumVfs("eth1")));
    }

    [Fact]
    public void Refuses_more_vfs_than_the_nic_has_and_non_pfs()
    {
        Pf("eth0", 7, 0);
        var sysfs = new SriovSysfs(_root);
        var e = Assert.Throws<SriovException>(() => sysfs.SetNumVfs("eth0", 8));
        Assert.Equal("eth0 supports 0 to 7 virtual functions; 8 was asked for", e.Message);
        Assert.Contains("is not an SR-IOV physical function", Assert.Throws<SriovException>(() => sysfs.NumVfs("lo")).Message);
    }

    [Fact]
    public void Writes_the_count_and_writes_nothing_when_it_is_already_right()
    {
        Pf("eth0", 7, 0);
        var sysfs = new SriovSysfs(_root);
        Assert.True(sysfs.SetNumVfs("eth0", 4));
        Assert.Equal("4", File.ReadAllText(Path.Combine(Device("eth0"), "sriov_numvfs")));
        Assert.False(sysfs.SetNumVfs("eth0", 4));
    }

    [Fact]
    public void Resolves_vf_netdevs_and_pci_addresses()
    {
        Pf("eth0", 7, 2);
        string pci = Path.Combine(_root, "devices", "pci0000:00", "0000:01:10.0");
        Directory.CreateDirectory(Path.Combine(pci, "net", "eth5"));
        File.CreateSymbolicLink(Path.Combine(Device("eth0"), "virtfn0"), pci);
        var sysfs = new SriovSysfs(_root);
        Assert.Equal("eth5", sysfs.VfNetdev("eth0", 0));
        Assert.Equal("0000:01:10.0", sysfs.VfPciAddress("eth0", 0));
        Assert.Null(sysfs.VfNetdev("eth0", 1));
    }
}
