using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Cpe.TestKit;

/// <summary>
/// Zero-touch provisioning on the simulated board, with the real programs only: the vendor's PKI made by cpe-vendor;
/// cpe-vendor-server in the WAN namespace at https://192.0.2.1:8443 (devices) with its admin API on the WAN side's
/// loopback (driven with curl, as an operator's script would); dnsmasq handing out option 143; a factory-fresh box
/// running cped and cpe-phonehome (as an unprivileged user) in the box namespace. Everything is removed on dispose.
/// </summary>
public sealed class ZeroTouchLab : IAsyncDisposable
{
    public const string ServerAddress = "192.0.2.1";
    public const string DeviceUrl = $"https://{ServerAddress}:8443";
    public const string AdminUrl = "https://127.0.0.1:9443";
    const int Nobody = 65534;

    public string Serial { get; }
    public SimBoard Sim { get; private set; } = null!;
    public TempFolder Dir { get; } = new("cpe-ztp-");
    /// <summary>The lab whose vendor PKI, owner, database and admin token this one shares (a second box of one fleet), or null.</summary>
    readonly ZeroTouchLab? _fleet;
    public string Vendor => _fleet?.Vendor ?? Dir["vendor"];
    public string Owner => _fleet?.Owner ?? Dir["owner"];
    public string Factory => Dir["factory"];
    public string AgentState => Dir["agent"];
    public string Database => _fleet?.Database ?? Dir["server.db"];
    /// <summary>Every RESTCONF body the server received and sent (serve --record).</summary>
    public string Wire => Dir["wire"];
    /// <summary>Where cped puts files a technician pushes over the console, and where the agent looks for them.</summary>
    public string ConsoleDrop => Dir["console"];
    public string Token { get; private set; } = "";
    public LoggedProcess? Server { get; private set; }
    public DaemonProcess? Cped { get; private set; }
    public LoggedProcess? Agent { get; private set; }
    string _agentBinary = "";

    /// <summary>Where the agent's console lines are echoed as they come (the demo's terminal).</summary>
    public TextWriter? AgentEcho { get; init; }

    /// <summary>
    /// cped runs VNFs (packages signed by the build's VNF signer, cgroups under /cpe-test/ID, namespaces ID-*), and the
    /// server takes packages signed by it; dispose removes whatever VNFs are left.
    /// </summary>
    public bool Vnfs { get; init; }
    readonly string _vnfId = "zt" + Guid.NewGuid().ToString("N")[..8];
    string VnfCgroupParent => $"/cpe-test/{_vnfId}";

    ZeroTouchLab(string serial, ZeroTouchLab? fleet)
    {
        Serial = serial;
        _fleet = fleet;
        if (fleet is not null) Token = fleet.Token;
    }

    /// <param name="sztpUrls">What DHCP option 143 offers (default: the lab's server).</param>
    /// <param name="sztpSrv">When set, dnsmasq also publishes the server in DNS (SRV _sztp._tcp.sim.example).</param>
    /// <param name="dnsRecords">More records for dnsmasq to serve ("NAME,TYPE,HEX"), made once the lab's PKI exists.</param>
    /// <param name="fleet">
    /// Another box of the same fleet: this lab shares that one's vendor PKI, owner and database, and runs its own
    /// server instance on them in its own WAN (several stateless instances, as a large fleet runs them).
    /// </param>
    public static async Task<ZeroTouchLab> StartAsync(string serial = "SIM-0001", TextWriter? agentEcho = null, string[]? sztpUrls = null, string? sztpSrv = null,
        Func<ZeroTouchLab, IEnumerable<string>>? dnsRecords = null, ZeroTouchLab? fleet = null, bool vnfs = false)
    {
        var lab = new ZeroTouchLab(serial, fleet) { AgentEcho = agentEcho, Vnfs = vnfs };
        try
        {
            lab.MakePki();
            lab.Sim = new SimBoard(lanPorts: 3, totalVfs: 7, sztpUrls: sztpUrls ?? [DeviceUrl], sztpSrv: sztpSrv, dnsRecords: dnsRecords?.Invoke(lab));
            await lab.StartServerAsync();
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    static string VendorTool(params string[] args) => Command.Run(Binaries.VendorTool, args);

    void MakePki()
    {
        File.SetUnixFileMode(Dir.Path, (UnixFileMode)0b111_101_101);
        if (_fleet is null)
        {
            VendorTool("ca", "create", "--dir", this.Vendor, "--organization", "Example Vendor");
            VendorTool("tls", "issue", "--ca-dir", this.Vendor, "--name", ServerAddress, "--dir", this.Vendor);
            VendorTool("owner", "create", "--dir", Owner, "--organization", "Example Owner");
        }
        VendorTool("device", "issue", "--ca-dir", this.Vendor, "--serial", Serial, "--model", "sim", "--base-mac", "02:00:5e:10:00:00", "--factory", Factory,
            "--bootstrap-anchor", Path.Combine(this.Vendor, "vendor-ca.pem"));
        IssueVoucher("voucher.cms");
        // The factory storage belongs to the agent's user; nobody else reads the IDevID key.
        Directory.CreateDirectory(AgentState);
        foreach (var path in Directory.GetFileSystemEntries(Factory).Append(Factory).Append(AgentState))
            Cpe.Interop.Files.Chown(path, Nobody, Nobody);
        File.SetUnixFileMode(Factory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _agentBinary = Binaries.ForOtherUsers(Binaries.Phonehome, Dir.Path);
    }

    /// <summary>Onboarding information signed by the owner: the site configuration with this host name.</summary>
    public void SignSiteConfiguration(string hostName, string outFile)
    {
        File.WriteAllText(Dir["site.json"], SiteBundle.Configuration(hostName).ToJsonString());
        VendorTool("conveyed", "sign", "--owner-dir", Owner, "--configuration", Dir["site.json"], "--out", outFile);
    }

    /// <summary>
    /// This box's RFC 8572 TXT records in domain sim.example, as "cpe-vendor conveyed dns-records" prints them for
    /// dnsmasq: onboarding information with this host name, the owner certificate and the voucher.
    /// </summary>
    public IEnumerable<string> DeviceTxtRecords(string hostName)
    {
        SignSiteConfiguration(hostName, Dir["dns-conveyed"]);
        return VendorTool("conveyed", "dns-records", "--serial", Serial, "--domain", "sim.example", "--format", "dnsmasq", "--conveyed", Dir["dns-conveyed"],
                "--owner-certificate", Path.Combine(Owner, "owner-certificate.cms"), "--voucher", Dir["voucher.cms"])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Trim()["--dns-rr=".Length..]);
    }

    /// <summary>A voucher for this box (or, to test refusals, another serial number or an already expired one).</summary>
    public string IssueVoucher(string name, string? serial = null, int days = 30)
    {
        VendorTool("voucher", "issue", "--ca-dir", Vendor, "--serial", serial ?? Serial, "--pinned", Path.Combine(Owner, "owner-ca.pem"),
            "--days", $"{days}", "--out", Dir[name]);
        return Dir[name];
    }

    /// <summary>The bootstrap server goes away (its database stays).</summary>
    public async Task StopServerAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        Server = null;
    }

    public async Task StartServerAsync()
    {
        if (Token.Length == 0) Token = Command.Run(Binaries.VendorServer, ["token", "--db", Database, "--name", "lab"]).Trim();
        Server = LoggedProcess.Start("ip", ["netns", "exec", Sim.Wan, Binaries.VendorServer, "serve", "--urls", DeviceUrl, "--admin-urls", AdminUrl,
            "--db", Database, "--vendor-ca", Path.Combine(Vendor, "vendor-ca.pem"), "--tls-cert", Path.Combine(Vendor, "server.pem"),
            "--tls-key", Path.Combine(Vendor, "server.key"), "--signing-cert", Path.Combine(Owner, "owner.pem"), "--signing-key", Path.Combine(Owner, "owner.key"),
            "--images", Dir["images"], "--check-in", "5", "--record", Dir["wire"], "--vnf-trust", string.Join(',', new[] { Path.Combine(Vendor, "vendor-ca.pem"), BusyboxPackage.VendorCa }.Where(File.Exists))],
            Dir["server.log"]);
        await VendorAdmin.WaitUntilServingAsync(Sim.Wan, AdminUrl, Server, TimeSpan.FromSeconds(20));
    }

    /// <summary>An admin API call with curl from the WAN side; returns the status and the body.</summary>
    public (int Status, string Body) Admin(string method, string path, string? body = null, string? token = null, string? contentType = "application/json", string? file = null) =>
        VendorAdmin.Call(Sim.Wan, AdminUrl, token ?? Token, method, path, body, contentType, file);

    /// <summary>Publishes a signed onboarding bundle (once) and enrolls this box with it and its voucher, over the admin API.</summary>
    public void Enroll(JsonObject bundle, string group = "lab", string? voucher = null, string? site = null)
    {
        var published = Admin("POST", "/api/v1/bundles", bundle.ToJsonString());
        // 409: published by an earlier call of this lab (a bundle name is never reused for other content).
        if (published.Status is not (200 or 409)) throw new InvalidOperationException($"publish: {published.Status} {published.Body}");
        var enroll = new JsonObject
        {
            ["bundle"] = bundle["name"]!.GetValue<string>(),
            ["ownershipVoucher"] = Convert.ToBase64String(File.ReadAllBytes(voucher ?? Dir["voucher.cms"])),
            ["owner"] = "Example Owner",
            ["group"] = group,
            ["site"] = site,
        };
        var enrolled = Admin("PUT", $"/api/v1/devices/{Serial}", enroll.ToJsonString());
        if (enrolled.Status != 200) throw new InvalidOperationException($"enroll: {enrolled.Status} {enrolled.Body}");
    }

    /// <summary>
    /// Power-on: cped with the factory default and the agent start together, as init starts them. Returns when cped's
    /// API answers; the stopwatch started before either was launched.
    /// </summary>
    public async Task<Stopwatch> PowerOnAsync(params string[] agentOptions)
    {
        var clock = Stopwatch.StartNew();
        Cped ??= new DaemonProcess(Vnfs ? Directory.CreateDirectory(Dir["cped"]).FullName : null)
        {
            NetworkNamespace = Sim.Box,
            BoardProfile = Sim.ProfilePath,
            ExtraArguments = ["--phonehome-user", "nobody", "--factory", Factory, "--console-drop", ConsoleDrop,
                .. Vnfs ? new[] { "--vnf-trust", BusyboxPackage.VendorCa, "--vnf-cgroup-parent", VnfCgroupParent, "--vnf-netns-prefix", _vnfId + "-" } : []],
        };
        StartAgent(agentOptions);
        if (Cped.Process is null || Cped.Process.HasExited) await Cped.StartAsync();
        return clock;
    }

    public void StartAgent(params string[] agentOptions)
    {
        File.SetUnixFileMode(Cped!.StateDirectory, (UnixFileMode)0b111_101_101);
        Agent = LoggedProcess.Start("nsenter", ["--net=/run/netns/" + Sim.Box, "--", "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--",
            _agentBinary, "--factory", Factory, "--state-dir", AgentState, "--socket", Cped.SocketPath, "--backoff-first", "200", "--check-in", "5",
            "--console-drop", ConsoleDrop, .. agentOptions],
            Dir["agent.log"], AgentEcho);
    }

    /// <summary>What the server recorded for this box, as "cpe-vendor-server progress" prints it.</summary>
    public string Progress() => Command.Run(Binaries.VendorServer, ["progress", "--db", Database, "--serial", Serial]);

    /// <summary>A command in the LAN host's namespace (the customer's PC behind ge-0/0/1).</summary>
    public string OnLanHost(params string[] command) => Command.Run("ip", ["netns", "exec", Sim.Lan, .. command]);

    public async ValueTask DisposeAsync()
    {
        if (Agent is not null) await Agent.DisposeAsync();
        if (Cped is not null) await Cped.DisposeAsync();
        if (Vnfs && Cped is not null) await VnfHostCleanup.RemoveAsync(VnfCgroupParent, Cped.StateDirectory, _vnfId + "-");
        if (Server is not null) await Server.DisposeAsync();
        Sim?.Dispose();
        Dir.Dispose();
    }
}
