using System.Diagnostics;
using System.Globalization;
using System.Net;
using Cpe.Board.Profile;
using Cpe.Netlink;
using Cpe.Network.Dhcp;

namespace Cpe.SimBoard;

/// <summary>
/// The simulated board's network: the box, LAN and WAN network namespaces; front ports as veth pairs
/// (ge-0/0/0 to the WAN, the others to the LAN host); a PF for the emulated SR-IOV NIC, with its
/// sysfs files under a simulated root; dnsmasq on the WAN handing out option 143; and the board profile
/// that tells cped all of this. Links are made with our own netlink code; the namespaces' mount points
/// and dnsmasq are the only outside programs.
/// </summary>
public static class SimNetwork
{
    public const string Pf = "sriov0";
    public const string PfPortName = "xe-0/0/0";
    public const string WanGateway = "192.0.2.1";

    public static string PortNetdev(int n) => $"ge-0-0-{n}";

    public static void Up(SimNetworkOptions o)
    {
        if (File.Exists($"/run/netns/{o.BoxNamespace}"))
            throw new InvalidOperationException($"a simulated board named {o.Name} is already up; 'cpe-sim net down --name {o.Name}' first");
        try { Build(o); }
        catch
        {
            Down(o);
            throw;
        }
    }

    static void Build(SimNetworkOptions o)
    {
        Directory.CreateDirectory(o.Directory);
        foreach (var ns in new[] { o.BoxNamespace, o.LanNamespace, o.WanNamespace }) Run("ip", "netns", "add", ns);
        using var box = RouteNetlink.OpenIn($"/run/netns/{o.BoxNamespace}");
        using var lan = RouteNetlink.OpenIn($"/run/netns/{o.LanNamespace}");
        using var wan = RouteNetlink.OpenIn($"/run/netns/{o.WanNamespace}");

        var ports = new List<FrontPort> { new("ge-0/0/0", PortNetdev(0), "wan") };
        Pair(box, PortNetdev(0), "wan0", o.WanNamespace, wan);
        for (int n = 1; n <= o.LanPorts; n++)
        {
            ports.Add(new FrontPort($"ge-0/0/{n}", PortNetdev(n), "lan"));
            Pair(box, PortNetdev(n), $"lan{n}", o.LanNamespace, lan);
        }
        Pair(box, Pf, "pf0", o.LanNamespace, lan);
        if (o.PfPort) ports.Add(new FrontPort(PfPortName, Pf, "lan"));
        // The PF is the NIC's port: always up, as a real PF with a cable is.
        box.SetAdminState(box.RequireLink(Pf).Index, true, Pf);
        foreach (var rtnl in new[] { box, lan, wan }) rtnl.SetAdminState(rtnl.RequireLink("lo").Index, true, "lo");

        string device = Path.Combine(o.SysfsRoot, "class", "net", Pf, "device");
        Directory.CreateDirectory(device);
        File.WriteAllText(Path.Combine(device, "sriov_totalvfs"), o.TotalVfs.ToString(CultureInfo.InvariantCulture));
        File.WriteAllText(Path.Combine(device, "sriov_numvfs"), "0");

        BoardProfileLoader.Save(SimHardware.Create(o, ports, Pf), o.ProfilePath);

        var wan0 = wan.RequireLink("wan0");
        wan.AddAddress(wan0.Index, IPAddress.Parse(WanGateway), 24);
        StartDnsmasq(o);
    }

    /// <summary>A veth pair: <paramref name="inner"/> stays in the box (down, for cped to bring up), the peer goes to the other side, up.</summary>
    static void Pair(RouteNetlink box, string inner, string peer, string peerNamespace, RouteNetlink other)
    {
        box.CreateVeth(inner, peer);
        using (var fd = File.OpenHandle($"/run/netns/{peerNamespace}"))
            box.MoveToNamespace(box.RequireLink(peer).Index, (int)fd.DangerousGetHandle(), peer);
        other.SetAdminState(other.RequireLink(peer).Index, true, peer);
    }

    static void StartDnsmasq(SimNetworkOptions o)
    {
        string hex = string.Join(':', Convert.ToHexString(SztpRedirect.Encode(o.SztpUrls)).Chunk(2).Select(c => new string(c)));
        string pidFile = Path.Combine(o.Directory, "dnsmasq.pid");
        // With --sztp-srv or --dns-rr, dnsmasq also answers DNS: the SRV record RFC 8572 §4.2 describes, the target's
        // address, and whatever records were given (e.g. a device's TXT records).
        var dns = new List<string>();
        if (!o.ServesDns) dns.Add("--port=0");
        else dns.AddRange(["--no-resolv", "--no-hosts", .. o.DnsRecords.Select(r => "--dns-rr=" + r)]);
        if (o.SztpSrv is string srv && srv.LastIndexOf(':') is int colon and > 0)
            dns.AddRange([$"--srv-host=_sztp._tcp.sim.example,bootstrap.sim.example,{srv[(colon + 1)..]}", $"--host-record=bootstrap.sim.example,{srv[..colon]}"]);
        Run("ip", ["netns", "exec", o.WanNamespace, "dnsmasq", "--conf-file=/dev/null", .. dns,
            // --no-ping: dnsmasq otherwise pings each address for 3 s before offering it; the WAN link has one client.
            "--interface=wan0", "--bind-interfaces", "--dhcp-authoritative", "--no-ping",
            $"--dhcp-range=192.0.2.100,192.0.2.199,255.255.255.0,{o.LeaseSeconds}",
            $"--dhcp-option=option:router,{WanGateway}", $"--dhcp-option=option:dns-server,{WanGateway}",
            $"--dhcp-option=option:ntp-server,{WanGateway}", "--dhcp-option=option:domain-name,sim.example",
            $"--dhcp-option-force=143,{hex}", $"--dhcp-leasefile={Path.Combine(o.Directory, "dnsmasq.leases")}",
            $"--pid-file={pidFile}", $"--log-facility={Path.Combine(o.Directory, "dnsmasq.log")}", "--log-dhcp"]);
        // Without --no-daemon, dnsmasq returns once it is serving, and leaves its pid file.
        if (!File.Exists(pidFile)) throw new InvalidOperationException("dnsmasq did not start: see " + Path.Combine(o.Directory, "dnsmasq.log"));
    }

    /// <summary>Removes everything Up made; what is already gone is skipped, so it also cleans up after a failed Up.</summary>
    public static void Down(SimNetworkOptions o)
    {
        string pidFile = Path.Combine(o.Directory, "dnsmasq.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out int pid))
        {
            try
            {
                using var dnsmasq = Process.GetProcessById(pid);
                dnsmasq.Kill();
                dnsmasq.WaitForExit(5000);
            }
            catch (ArgumentException) { }   // already gone
        }
        foreach (var ns in new[] { o.BoxNamespace, o.LanNamespace, o.WanNamespace })
            if (File.Exists($"/run/netns/{ns}")) Run("ip", "netns", "del", ns);
        if (Directory.Exists(o.Directory)) Directory.Delete(o.Directory, recursive: true);
    }

    static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        string error = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {error.Trim()}");
    }
}
