using Cpe.Netlink;
using Cpe.Network.Sriov;
using Xunit;

namespace Cpe.TestKit;

/// <summary>
/// What every <see cref="ISriovDriver"/> must do for the network reconciler and VNF wiring, run against the fake
/// (unit tests) and the simulated board's emulated NIC on rtnetlink in a fresh namespace (integration tests, as root);
/// the kernel lab's SR-IOV tests drive the real driver on igb. The PF under test can have 4 VFs and has none at first.
/// </summary>
public abstract class SriovDriverContract : IDisposable
{
    protected const string Pf = "pf0";
    protected const int TotalVfs = 4;

    protected abstract ISriovDriver Driver { get; }

    /// <summary>A network namespace to lend VFs into (its path).</summary>
    protected abstract string NewNamespace();

    /// <summary>Whether a link named <paramref name="netdev"/> is in the host's (cped's) namespace.</summary>
    protected abstract bool IsHere(string netdev);

    /// <summary>The MAC of the link named <paramref name="name"/> inside the namespace at <paramref name="netns"/>, or null.</summary>
    protected abstract string? MacInside(string netns, string name);

    [Fact]
    public void A_pf_reports_its_limit_and_starts_with_no_vfs()
    {
        Assert.Equal((TotalVfs, 0), (Driver.TotalVfs(Pf), Driver.NumVfs(Pf)));
        Assert.Empty(Driver.Vfs(Pf));
    }

    [Fact]
    public void New_vfs_have_netdevs_here_and_a_nic_s_defaults()
    {
        Driver.SetNumVfs(Pf, 2);
        Assert.Equal(2, Driver.NumVfs(Pf));
        var vfs = Driver.Vfs(Pf);
        Assert.Equal([0, 1], vfs.Select(v => v.Vf));
        Assert.All(vfs, v => Assert.Equal(((ushort)0, (byte)0, (bool?)true, (bool?)false, 0u, 0u, (VfLinkState?)VfLinkState.Auto),
            (v.Vlan, v.Qos, v.SpoofCheck, v.Trust, v.MinTxRate, v.MaxTxRate, v.LinkState)));
        Assert.All(vfs, v => Assert.True(Driver.VfNetdev(Pf, v.Vf) is { } netdev && IsHere(netdev), $"vf {v.Vf} has no netdev here"));
    }

    [Fact]
    public void More_vfs_than_the_pf_has_are_refused_and_the_count_stays()
    {
        Driver.SetNumVfs(Pf, 1);
        Assert.Throws<SriovException>(() => Driver.SetNumVfs(Pf, TotalVfs + 1));
        Assert.Equal(1, Driver.NumVfs(Pf));
    }

    [Fact]
    public void A_vf_s_settings_read_back_as_set()
    {
        Driver.SetNumVfs(Pf, 2);
        Driver.SetMac(Pf, 1, "02:00:00:00:00:11");
        Driver.SetVlan(Pf, 1, 7, 3);
        Driver.SetSpoofCheck(Pf, 1, false);
        Driver.SetTrust(Pf, 1, true);
        Driver.SetRate(Pf, 1, 0, 100);
        Driver.SetLinkState(Pf, 1, VfLinkState.Disable);
        var vf = Driver.Vfs(Pf)[1];
        Assert.Equal(("02:00:00:00:00:11", (ushort)7, (byte)3, (bool?)false, (bool?)true, 0u, 100u, (VfLinkState?)VfLinkState.Disable),
            (vf.Mac, vf.Vlan, vf.Qos, vf.SpoofCheck, vf.Trust, vf.MinTxRate, vf.MaxTxRate, vf.LinkState));
        Assert.Equal((ushort)0, Driver.Vfs(Pf)[0].Vlan);
    }

    [Fact]
    public void Setting_the_count_a_pf_has_changes_nothing()
    {
        Driver.SetNumVfs(Pf, 2);
        Driver.SetVlan(Pf, 0, 9, 0);
        long writes = Driver.FileWrites;
        Driver.SetNumVfs(Pf, 2);
        Assert.Equal((ushort)9, Driver.Vfs(Pf)[0].Vlan);
        Assert.Equal(writes, Driver.FileWrites);
    }

    [Fact]
    public void A_new_count_recreates_every_vf_with_defaults()
    {
        Driver.SetNumVfs(Pf, 2);
        Driver.SetVlan(Pf, 0, 9, 0);
        long writes = Driver.FileWrites;
        Driver.SetNumVfs(Pf, 3);
        Assert.Equal(3, Driver.NumVfs(Pf));
        Assert.All(Driver.Vfs(Pf), v => Assert.Equal((ushort)0, v.Vlan));
        Assert.True(Driver.FileWrites > writes, "a count change is a write");
    }

    [Fact]
    public void A_setting_for_a_vf_the_pf_does_not_have_is_refused()
    {
        Driver.SetNumVfs(Pf, 1);
        Assert.ThrowsAny<Exception>(() => Driver.SetVlan(Pf, 3, 7, 0));
        Assert.Equal((ushort)0, Driver.Vfs(Pf)[0].Vlan);
    }

    [Fact]
    public void A_lent_vf_leaves_the_host_keeps_counting_and_comes_back_under_its_pf_name()
    {
        Driver.SetNumVfs(Pf, 2);
        Driver.SetMac(Pf, 1, "02:00:00:00:00:21");
        string netdev = Driver.VfNetdev(Pf, 1)!;
        string netns = NewNamespace();

        Driver.Lend(Pf, 1, netns, "eth1");
        Assert.Equal("02:00:00:00:00:21", MacInside(netns, "eth1"));
        Assert.True(Driver.VfNetdev(Pf, 1) is not { } here || !IsHere(here), "a lent VF's netdev is not in the host's namespace");
        Assert.False(IsHere(netdev));
        Assert.Equal(2, Driver.NumVfs(Pf));
        Assert.Equal("02:00:00:00:00:21", Driver.Vfs(Pf)[1].Mac);

        Driver.Reclaim(Pf, 1, netns, "eth1");
        Assert.Null(MacInside(netns, "eth1"));
        Assert.True(IsHere(ISriovDriver.VfName(Pf, 1)));
        Assert.Equal("02:00:00:00:00:21", Driver.Vfs(Pf)[1].Mac);
    }

    [Fact]
    public void The_pf_sets_a_lent_vf_s_mac()
    {
        Driver.SetNumVfs(Pf, 1);
        string netns = NewNamespace();
        Driver.Lend(Pf, 0, netns, "eth0");
        Driver.SetMac(Pf, 0, "02:00:00:00:00:31");
        Assert.Equal("02:00:00:00:00:31", Driver.Vfs(Pf)[0].Mac);
        Assert.Equal("02:00:00:00:00:31", MacInside(netns, "eth0"));
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
