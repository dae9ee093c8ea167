using System.Diagnostics;
using System.Net;
using Cpe.Netlink;
using Cpe.Network.Dhcp;
using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.Network;

/// <summary>Our DHCP client on a packet socket against a real dnsmasq, across two network namespaces.</summary>
[Trait("Kind", "Integration")]
public sealed class DhcpClientTests : IDisposable
{
    readonly ITestOutputHelper _output;
    static readonly string[] BootstrapServers = ["https://bootstrap.example.net", "https://192.0.2.10:8443"];
    const string ClientMac = "02:00:00:00:43:01";
    readonly TestNamespace _box = new(), _wan = new();
    readonly string _dir = Directory.CreateTempSubdirectory("cpe-dhcp-").FullName;
    readonly RouteNetlink _boxNet, _wanNet;
    readonly Process _dnsmasq;
    readonly int _port;

    public DhcpClientTests(ITestOutputHelper output)
    {
        _output = output;
        _boxNet = RouteNetlink.OpenIn(_box.Path);
        _wanNet = RouteNetlink.OpenIn(_wan.Path);
        _boxNet.CreateVeth("ge-0-0-0", "isp");
        using (var fd = File.OpenHandle(_wan.Path))
            _boxNet.MoveToNamespace(_boxNet.RequireLink("isp").Index, (int)fd.DangerousGetHandle(), "isp");
        var port = _boxNet.RequireLink("ge-0-0-0");
        _port = port.Index;
        _boxNet.SetMac(port.Index, ClientMac, "ge-0-0-0");
        _boxNet.SetAdminState(port.Index, true, "ge-0-0-0");
        var isp = _wanNet.RequireLink("isp");
        _wanNet.AddAddress(isp.Index, IPAddress.Parse("192.0.2.1"), 24);
        _wanNet.SetAdminState(isp.Index, true, "isp");

        string option143 = Convert.ToHexString(SztpRedirect.Encode(BootstrapServers));
        string hex = string.Join(':', option143.Chunk(2).Select(c => new string(c)));
        _dnsmasq = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", _wan.Name, "dnsmasq", "--no-daemon", "--conf-file=/dev/null",
            // --no-ping: dnsmasq otherwise pings each address for 3 s before offering it; a point-to-point WAN link has one client.
            "--port=0", "--interface=isp", "--bind-interfaces", "--dhcp-authoritative", "--no-ping",
            "--dhcp-range=192.0.2.100,192.0.2.150,255.255.255.0,1h",
            "--dhcp-option=option:router,192.0.2.1", "--dhcp-option=option:dns-server,192.0.2.53",
            "--dhcp-option=option:ntp-server,192.0.2.123", "--dhcp-option=option:domain-name,site.example",
            $"--dhcp-option-force=143,{hex}", $"--dhcp-leasefile={_dir}/leases", $"--pid-file={_dir}/pid"])
        { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true })!;
        _dnsmasq.BeginErrorReadLine();
        _dnsmasq.BeginOutputReadLine();
        // dnsmasq writes its pid file once it is serving.
        for (int i = 0; i < 200 && !File.Exists($"{_dir}/pid"); i++) Thread.Sleep(10);
    }

    public void Dispose()
    {
        if (!_dnsmasq.HasExited) _dnsmasq.Kill(entireProcessTree: true);
        _dnsmasq.WaitForExit(5000);
        _dnsmasq.Dispose();
        _boxNet.Dispose();
        _wanNet.Dispose();
        _box.Dispose();
        _wan.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Gets_a_lease_in_under_a_second_with_option_143_then_renews_and_releases_it()
    {
        using var socket = DhcpPacketSocket.Open(_port, _box.Path);
        var client = new DhcpClient(socket, RtnlParser.ParseMac(ClientMac), TimeProvider.System);

        var watch = Stopwatch.StartNew();
        var lease = await client.AcquireAsync(CancellationToken.None);
        watch.Stop();
        _output.WriteLine($"DISCOVER to ACK: {watch.Elapsed.TotalMilliseconds:0.0} ms");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"lease took {watch.Elapsed.TotalMilliseconds:0} ms");

        Assert.InRange(BitConverter.ToUInt32(lease.Address.GetAddressBytes().Reverse().ToArray()), 0xC0000264u, 0xC0000296u);   // .100 to .150
        Assert.Equal(24, lease.PrefixLength);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), lease.Server);
        Assert.Equal(TimeSpan.FromHours(1), lease.LeaseTime);
        Assert.Equal(["192.0.2.1"], lease.Options.Routers.Select(a => a.ToString()));
        Assert.Equal(["192.0.2.53"], lease.Options.DnsServers.Select(a => a.ToString()));
        Assert.Equal(["192.0.2.123"], lease.Options.NtpServers.Select(a => a.ToString()));
        Assert.Equal("site.example", lease.Options.DomainName);
        Assert.Equal(["https://bootstrap.example.net/", "https://192.0.2.10:8443/"], lease.Options.SztpBootstrapServers.Select(u => u.ToString()));
        Assert.Contains(ClientMac, await File.ReadAllTextAsync($"{_dir}/leases"));

        // With the address on the port (the reconciler's job), the server's unicast answers reach us.
        _boxNet.AddAddress(_port, lease.Address, lease.PrefixLength);
        var renewed = await client.RenewAsync(lease, CancellationToken.None);
        Assert.Equal(lease.Address, renewed.Address);

        client.Release(renewed);
        for (int i = 0; i < 100 && (await File.ReadAllTextAsync($"{_dir}/leases")).Contains(ClientMac); i++) await Task.Delay(20);
        Assert.DoesNotContain(ClientMac, await File.ReadAllTextAsync($"{_dir}/leases"));
    }

    [Fact]
    public async Task No_server_is_a_clear_error_after_the_retries()
    {
        _dnsmasq.Kill(entireProcessTree: true);
        _dnsmasq.WaitForExit();
        using var socket = DhcpPacketSocket.Open(_port, _box.Path);
        var client = new DhcpClient(socket, RtnlParser.ParseMac(ClientMac), TimeProvider.System) { FirstWait = TimeSpan.FromMilliseconds(100), Attempts = 3 };
        var e = await Assert.ThrowsAsync<DhcpException>(() => client.AcquireAsync(CancellationToken.None));
        Assert.Equal("no DHCP server answered the DISCOVER after 3 tries", e.Message);
    }
}
