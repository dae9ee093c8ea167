using System.Net;
using Cpe.Network.Dhcp;

namespace Cpe.UnitTests.Network;

[Trait("Kind", "Unit")]
public sealed class DhcpLeaseFileTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("cpe-lease-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_lease_comes_back_with_every_option_and_a_damaged_file_is_no_lease()
    {
        var options = new DhcpOptions().Set(DhcpOptionCode.Router, [192, 0, 2, 1])
            .Set(DhcpOptionCode.SztpRedirect, SztpRedirect.Encode(["https://a.example", "https://192.0.2.9:8443"]));
        var lease = new DhcpLease(IPAddress.Parse("192.0.2.100"), 24, IPAddress.Parse("192.0.2.1"), [2, 0, 0, 0, 0, 1],
            new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(1), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(52.5), options);
        string path = Path.Combine(_dir, "dhcp-ge-0-0-0.json");
        DhcpLeaseFile.Save(path, lease);
        var back = DhcpLeaseFile.Load(path)!;
        Assert.Equal((lease.Address, lease.PrefixLength, lease.Server, lease.ObtainedAt, lease.LeaseTime, lease.RenewAfter, lease.RebindAfter),
            (back.Address, back.PrefixLength, back.Server, back.ObtainedAt, back.LeaseTime, back.RenewAfter, back.RebindAfter));
        Assert.Equal(lease.ServerMac, back.ServerMac);
        Assert.Equal(["https://a.example/", "https://192.0.2.9:8443/"], back.Options.SztpBootstrapServers.Select(u => u.ToString()));
        Assert.Equal([IPAddress.Parse("192.0.2.1")], back.Options.Routers);

        File.WriteAllText(path, File.ReadAllText(path)[..40]);
        Assert.Null(DhcpLeaseFile.Load(path));
        Assert.Null(DhcpLeaseFile.Load(Path.Combine(_dir, "absent.json")));
    }
}
