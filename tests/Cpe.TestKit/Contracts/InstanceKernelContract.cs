using Cpe.Interop;
using Cpe.Vnf.Placement;
using Xunit;

namespace Cpe.TestKit;

/// <summary>
/// What every <see cref="IInstanceKernel"/> must do for VNF wiring, run against the fake (unit tests) and against the
/// kernel from a network namespace of the test's own (integration tests, as root).
/// </summary>
public abstract class InstanceKernelContract : IDisposable
{
    const int EEXIST = 17, ENODEV = 19;
    static readonly byte[] Mac = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];

    protected abstract IInstanceKernel Kernel { get; }

    /// <summary>A path under /run/netns no namespace is bound at yet, unique to this test.</summary>
    protected abstract string NewNamespacePath();

    [Fact]
    public void A_namespace_is_made_once_with_only_its_loopback_and_removed()
    {
        string ns = NewNamespacePath();
        Assert.False(Kernel.NamespaceExists(ns));
        Kernel.CreateNamespace(ns);
        Kernel.CreateNamespace(ns);
        Assert.True(Kernel.NamespaceExists(ns));
        var lo = Assert.Single(Kernel.LinksInside(ns));
        Assert.Equal(("lo", false), (lo.Name, lo.AdminUp));
        Kernel.DeleteNamespace(ns);
        Kernel.DeleteNamespace(ns);
        Assert.False(Kernel.NamespaceExists(ns));
        Assert.ThrowsAny<IOException>(() => Kernel.LinksInside(ns));
    }

    [Fact]
    public void A_pair_joins_the_host_and_the_namespace_both_down()
    {
        string ns = NewNamespacePath();
        Kernel.CreateNamespace(ns);
        Kernel.CreateVethInto("vct0", "eth0", ns, Mac);
        var host = Kernel.Link("vct0");
        Assert.Equal(("veth", false), (host?.Kind, host?.AdminUp));
        Assert.Contains(Kernel.Links(), l => l.Name == "vct0");
        var inside = Kernel.LinksInside(ns).Single(l => l.Name == "eth0");
        Assert.Equal(("veth", false, "02:11:22:33:44:55"), (inside.Kind, inside.AdminUp, inside.Mac));
        Assert.Null(Kernel.Link("eth0"));
    }

    [Fact]
    public void A_host_end_name_already_taken_is_refused_with_EEXIST()
    {
        string ns = NewNamespacePath();
        Kernel.CreateNamespace(ns);
        Kernel.CreateVethInto("vct0", "eth0", ns, Mac);
        var e = Assert.ThrowsAny<LinuxException>(() => Kernel.CreateVethInto("vct0", "eth1", ns, Mac));
        Assert.Equal(EEXIST, e.Errno);
        Assert.DoesNotContain(Kernel.LinksInside(ns), l => l.Name == "eth1");
    }

    [Fact]
    public void Readied_ends_are_up_and_readying_them_again_changes_nothing()
    {
        string ns = NewNamespacePath();
        Kernel.CreateNamespace(ns);
        Kernel.CreateVethInto("vct0", "eth0", ns, Mac);
        Kernel.PrepareHostEnd("vct0");
        Kernel.PrepareHostEnd("vct0");
        Kernel.BringUpInside(ns, ["eth0"]);
        Kernel.BringUpInside(ns, ["eth0"]);
        Assert.True(Kernel.Link("vct0")!.AdminUp);
        Assert.All(Kernel.LinksInside(ns), l => Assert.True(l.AdminUp, $"{l.Name} is down"));
    }

    [Fact]
    public void Deleting_the_host_end_takes_the_inside_end_with_it()
    {
        string ns = NewNamespacePath();
        Kernel.CreateNamespace(ns);
        Kernel.CreateVethInto("vct0", "eth0", ns, Mac);
        Kernel.DeleteLink(Kernel.Link("vct0")!);
        Assert.Null(Kernel.Link("vct0"));
        Assert.DoesNotContain(Kernel.LinksInside(ns), l => l.Name == "eth0");
    }

    [Fact]
    public void Readying_a_link_that_is_not_there_is_refused_with_ENODEV()
    {
        var e = Assert.ThrowsAny<LinuxException>(() => Kernel.PrepareHostEnd("vct9"));
        Assert.Equal(ENODEV, e.Errno);
        string ns = NewNamespacePath();
        Kernel.CreateNamespace(ns);
        Assert.Equal(ENODEV, Assert.ThrowsAny<LinuxException>(() => Kernel.BringUpInside(ns, ["eth9"])).Errno);
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
