using System.Text.Json.Nodes;
using Cpe.Platform.Configuration;

namespace Cpe.UnitTests.Platform;

[Trait("Kind", "Unit")]
public class SystemReconcilerTests
{
    [Fact]
    public async Task Applies_the_host_name_only_when_the_kernel_differs()
    {
        var kernel = new FakeHostName { Name = "old" };
        var r = new SystemReconciler(kernel);
        var tree = new JsonObject { ["system"] = new JsonObject { ["host-name"] = "site-17" } };
        await r.Prepare(tree).ApplyAsync(CancellationToken.None);
        await r.Prepare(tree).ApplyAsync(CancellationToken.None);
        Assert.Equal("site-17", kernel.Name);
        Assert.Equal(1, kernel.Sets);
    }

    [Fact]
    public async Task No_host_name_means_the_default()
    {
        var kernel = new FakeHostName();
        await new SystemReconciler(kernel).Prepare([]).ApplyAsync(CancellationToken.None);
        Assert.Equal(SystemReconciler.DefaultHostName, kernel.Name);
    }
}
