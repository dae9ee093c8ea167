using System.Globalization;

namespace Cpe.SimBoard;

/// <summary>"cpe-sim net up|down" options (docs/reference/simulated-board.md).</summary>
public sealed record SimNetworkOptions(string Name, string Directory, int LanPorts, int TotalVfs, IReadOnlyList<string> SztpUrls, int LeaseSeconds)
{
    /// <summary>"HOST:PORT" of a bootstrap server published in DNS (SRV _sztp._tcp.sim.example); null: dnsmasq serves no DNS.</summary>
    public string? SztpSrv { get; init; }

    /// <summary>More records dnsmasq serves, in its "--dns-rr=NAME,TYPE,HEX" form (e.g. "cpe-vendor conveyed dns-records --format dnsmasq").</summary>
    public IReadOnlyList<string> DnsRecords { get; init; } = [];

    /// <summary>Whether the PF is a front port too (xe-0/0/0, its wire to the LAN host), so that a service chain can reach it and take its VFs.</summary>
    public bool PfPort { get; init; }

    /// <summary>Whether dnsmasq answers DNS on the WAN gateway, not only DHCP.</summary>
    public bool ServesDns => SztpSrv is not null || DnsRecords.Count > 0;

    public const string Usage = """
        usage: cpe-sim net up [--name NAME] [--dir DIR] [--lan-ports N] [--total-vfs N] [--sztp-url URL]... [--sztp-srv IP:PORT]
                          [--dns-rr NAME,TYPE,HEX]... [--lease-seconds N] [--pf-port]
               cpe-sim net down [--name NAME] [--dir DIR]
        """;

    public string BoxNamespace => Name + "-box";
    public string LanNamespace => Name + "-lan";
    public string WanNamespace => Name + "-wan";
    public string ProfilePath => Path.Combine(Directory, "board.json");
    public string SysfsRoot => Path.Combine(Directory, "sys");

    public static SimNetworkOptions Parse(IReadOnlyList<string> args)
    {
        string name = "sim", dir = "";
        int lan = 3, vfs = 7, lease = 3600;
        var urls = new List<string>();
        var records = new List<string>();
        string? srv = null;
        bool pfPort = false;
        for (int i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Number(int min, int max) =>
                int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
                    ? n : throw new ArgumentException($"{args[i - 1]} must be a number from {min} to {max}");
            switch (args[i])
            {
                case "--name": name = Next(); break;
                case "--dir": dir = Next(); break;
                case "--lan-ports": lan = Number(1, 31); break;
                case "--total-vfs": vfs = Number(0, 64); break;
                case "--sztp-url": urls.Add(Next()); break;
                case "--sztp-srv": srv = Next(); break;
                case "--dns-rr": records.Add(Next()); break;
                case "--lease-seconds": lease = Number(120, 86400); break;
                case "--pf-port": pfPort = true; break;
                default: throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z][a-z0-9-]{0,20}$"))
            throw new ArgumentException("--name must be a lowercase letter then up to 20 lowercase letters, digits or hyphens");
        return new SimNetworkOptions(name, dir.Length > 0 ? dir : $"/run/cpe-sim/{name}", lan, vfs,
            urls.Count > 0 ? urls : ["https://bootstrap.sim.example:8443"], lease)
        { SztpSrv = srv, DnsRecords = records, PfPort = pfPort };
    }
}
