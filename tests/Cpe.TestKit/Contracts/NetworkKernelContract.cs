using System.Net;
using Cpe.Interop;
using Cpe.Network.Reconcile;
using Xunit;

namespace Cpe.TestKit;

/// <summary>
/// What every <see cref="INetworkKernel"/> must do, run against the fake (unit tests) and against rtnetlink in a fresh
/// network namespace (integration tests, as root), as dotnet/iot runs one suite against every GPIO driver. When the
/// fake and the kernel disagree, one of these fails on one side. Bridge VLAN filtering is left out: this machine's
/// kernel has none (the kernel lab covers it).
/// </summary>
public abstract class NetworkKernelContract : IDisposable
{
    const int EEXIST = 17, ENODEV = 19, EOPNOTSUPP = 95, EADDRNOTAVAIL = 99;

    protected abstract INetworkKernel Kernel { get; }

    /// <summary>Adds an Ethernet-like link named <paramref name="name"/>, down, as a board's port is before configuration.</summary>
    protected abstract void AddPort(string name);

    [Fact]
    public void A_created_bridge_reads_back_down_with_its_kind_and_alias()
    {
        Kernel.CreateBridge("br-c", "cpe:office", vlanFiltering: false);
        var bridge = Kernel.Read(withVlans: false).Links["br-c"];
        Assert.Equal(("bridge", false, "cpe:office"), (bridge.Kind, bridge.AdminUp, bridge.Alias));
        Assert.Equal(bridge, Kernel.Link("br-c"));
    }

    [Fact]
    public void A_link_s_settings_read_back_as_set()
    {
        AddPort("p-c0");
        Kernel.SetAlias("p-c0", "cpe:port");
        Kernel.SetMtu("p-c0", 1400);
        Kernel.SetMac("p-c0", "02:00:00:00:c0:01");
        Kernel.SetAdminState("p-c0", true);
        var port = Kernel.Link("p-c0")!;
        Assert.Equal(("cpe:port", 1400u, "02:00:00:00:c0:01", true), (port.Alias, port.Mtu, port.Mac, port.AdminUp));
        Kernel.SetAdminState("p-c0", false);
        Assert.False(Kernel.Link("p-c0")!.AdminUp);
    }

    [Fact]
    public void A_port_joins_a_bridge_and_leaves_it()
    {
        AddPort("p-c1");
        Kernel.CreateBridge("br-c", "cpe:", vlanFiltering: false);
        Kernel.SetMaster("p-c1", "br-c");
        Assert.Equal(Kernel.Link("br-c")!.Index, Kernel.Link("p-c1")!.Master);
        Kernel.SetMaster("p-c1", null);
        Assert.Null(Kernel.Link("p-c1")!.Master);
    }

    [Fact]
    public void Addresses_are_added_to_and_removed_from_a_link()
    {
        AddPort("p-c2");
        Kernel.AddAddress("p-c2", IPAddress.Parse("192.0.2.1"), 24);
        Kernel.AddAddress("p-c2", IPAddress.Parse("198.51.100.1"), 30);
        int index = Kernel.Link("p-c2")!.Index;
        Assert.Equal(["192.0.2.1/24", "198.51.100.1/30"], V4Of(index));
        Kernel.DeleteAddress("p-c2", IPAddress.Parse("192.0.2.1"), 24);
        Assert.Equal(["198.51.100.1/30"], V4Of(index));
    }

    [Fact]
    public void Deleting_a_bridge_frees_its_ports_and_drops_its_addresses()
    {
        AddPort("p-c3");
        Kernel.CreateBridge("br-c", "cpe:", vlanFiltering: false);
        Kernel.SetMaster("p-c3", "br-c");
        int index = Kernel.Link("br-c")!.Index;
        Kernel.AddAddress("br-c", IPAddress.Parse("192.0.2.1"), 24);
        Kernel.Delete("br-c");
        Assert.Null(Kernel.Link("br-c"));
        Assert.Null(Kernel.Link("p-c3")!.Master);
        Assert.Empty(V4Of(index));
    }

    [Fact]
    public void A_change_to_a_link_that_is_not_there_is_refused_with_ENODEV()
    {
        Assert.Equal(ENODEV, Assert.ThrowsAny<LinuxException>(() => Kernel.SetMtu("p-none", 1400)).Errno);
        Assert.Equal(ENODEV, Assert.ThrowsAny<LinuxException>(() => Kernel.Delete("p-none")).Errno);
        Assert.Null(Kernel.Link("p-none"));
    }

    [Fact]
    public void What_is_already_there_is_refused_with_EEXIST()
    {
        AddPort("p-c4");
        Kernel.CreateBridge("br-c", "cpe:", vlanFiltering: false);
        Assert.Equal(EEXIST, Assert.ThrowsAny<LinuxException>(() => Kernel.CreateBridge("br-c", "cpe:", vlanFiltering: false)).Errno);
        Kernel.AddAddress("p-c4", IPAddress.Parse("192.0.2.1"), 24);
        Assert.Equal(EEXIST, Assert.ThrowsAny<LinuxException>(() => Kernel.AddAddress("p-c4", IPAddress.Parse("192.0.2.1"), 24)).Errno);
        Assert.Equal(EADDRNOTAVAIL, Assert.ThrowsAny<LinuxException>(() => Kernel.DeleteAddress("p-c4", IPAddress.Parse("192.0.2.9"), 24)).Errno);
    }

    [Fact]
    public void Only_a_bridge_can_be_a_master()
    {
        AddPort("p-c5");
        AddPort("p-c6");
        Assert.Equal(EOPNOTSUPP, Assert.ThrowsAny<LinuxException>(() => Kernel.SetMaster("p-c5", "p-c6")).Errno);
        Assert.Null(Kernel.Link("p-c5")!.Master);
    }

    [Fact]
    public void Changes_count_as_writes_and_reads_do_not()
    {
        AddPort("p-c7");
        long before = Kernel.Writes;
        Kernel.Read(withVlans: false);
        Kernel.Link("p-c7");
        Assert.Equal(before, Kernel.Writes);
        Kernel.SetMtu("p-c7", 1400);
        Assert.True(Kernel.Writes > before);
    }

    List<string> V4Of(int index) =>
        [.. (Kernel.Read(withVlans: false).Addresses.GetValueOrDefault(index) ?? []).Where(a => a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            .Select(a => $"{a.Address}/{a.PrefixLength}").Order(StringComparer.Ordinal)];

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
