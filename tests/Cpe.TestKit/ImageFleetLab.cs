using System.Text.Json.Nodes;

namespace Cpe.TestKit;

/// <summary>
/// The vendor's side of a QEMU box's zero-touch and fleet life: a vendor PKI; the box's factory storage as the FAT
/// disk labelled CPE-FACTORY that the image mounts at /factory; and the box's WAN: a network namespace holding the
/// tap its igb WAN NIC is attached to (QEMU runs in the namespace), dnsmasq handing out an address and DHCP option
/// 143 naming the vendor server, and the vendor server itself. Everything is removed on dispose.
/// </summary>
public sealed class ImageFleetLab : IAsyncDisposable
{
    public const string Serial = "LAB-0001", Model = "cpe-lab-q35", Gateway = "192.0.2.1", Tap = "cpewan0";
    const int DevicePort = 8443, AdminPort = 9443;

    public TempFolder Dir { get; } = new("cpe-image-fleet-");
    public string FactoryDisk => Dir["factory.img"];

    /// <summary>The WAN's namespace: run QEMU in it with <see cref="WanNetdev"/>.</summary>
    public string Namespace { get; } = "cpe-iw-" + Guid.NewGuid().ToString("N")[..8];
    public string WanNetdev => $"tap,id=wan,ifname={Tap},script=no,downscript=no";
    public static string DeviceUrl => $"https://{Gateway}:{DevicePort}";
    static string AdminUrl => $"https://127.0.0.1:{AdminPort}";
    public string Token { get; private set; } = "";
    public LoggedProcess? Server { get; private set; }
    string Database => Dir["server.db"];

    public static async Task<ImageFleetLab> StartAsync()
    {
        var lab = new ImageFleetLab();
        try
        {
            lab.MakePki();
            lab.MakeFactoryDisk();
            lab.MakeWan();
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
        VendorTool("ca", "create", "--dir", Dir["vendor"], "--organization", "Example Vendor");
        VendorTool("tls", "issue", "--ca-dir", Dir["vendor"], "--name", Gateway, "--dir", Dir["vendor"]);
        VendorTool("owner", "create", "--dir", Dir["owner"], "--organization", "Example Owner");
        VendorTool("device", "issue", "--ca-dir", Dir["vendor"], "--serial", Serial, "--model", Model, "--base-mac", "02:00:5e:20:00:00",
            "--factory", Dir["factory"], "--bootstrap-anchor", Path.Combine(Dir["vendor"], "vendor-ca.pem"));
        VendorTool("voucher", "issue", "--ca-dir", Dir["vendor"], "--serial", Serial, "--pinned", Path.Combine(Dir["owner"], "owner-ca.pem"),
            "--days", "30", "--out", Dir["voucher.cms"]);
    }

    /// <summary>The factory storage as a small FAT file system, made without mounting (mkfs.vfat, mcopy).</summary>
    void MakeFactoryDisk()
    {
        Command.Run("mkfs.vfat", ["-C", "-n", "CPE-FACTORY", FactoryDisk, "2048"]);
        Command.Run("mcopy", ["-i", FactoryDisk, .. Directory.GetFiles(Dir["factory"]), "::"]);
    }

    /// <summary>The WAN namespace: a persistent tap QEMU attaches to, the gateway address, dnsmasq with option 143.</summary>
    void MakeWan()
    {
        Command.Run("ip", ["netns", "add", Namespace]);
        InWan("ip", "link", "set", "lo", "up");
        InWan("ip", "tuntap", "add", "dev", Tap, "mode", "tap");
        InWan("ip", "addr", "add", $"{Gateway}/24", "dev", Tap);
        InWan("ip", "link", "set", Tap, "up");
        string option143 = string.Join(':', Convert.ToHexString(Cpe.Network.Dhcp.SztpRedirect.Encode([DeviceUrl])).Chunk(2).Select(c => new string(c)));
        InWan("dnsmasq", "--conf-file=/dev/null", "--port=0", $"--interface={Tap}", "--bind-interfaces", "--dhcp-authoritative", "--no-ping",
            "--dhcp-range=192.0.2.100,192.0.2.199,255.255.255.0,3600", $"--dhcp-option=option:router,{Gateway}", $"--dhcp-option-force=143,{option143}",
            $"--dhcp-leasefile={Dir["dnsmasq.leases"]}", $"--pid-file={Dir["dnsmasq.pid"]}", $"--log-facility={Dir["dnsmasq.log"]}", "--log-dhcp");
    }

    string InWan(params string[] command) => Command.Run("ip", ["netns", "exec", Namespace, .. command]);

    async Task StartServerAsync()
    {
        Token = Command.Run(Binaries.VendorServer, ["token", "--db", Database, "--name", "lab"]).Trim();
        Directory.CreateDirectory(Dir["images"]);
        Server = LoggedProcess.Start("ip", ["netns", "exec", Namespace, Binaries.VendorServer, "serve", "--urls", DeviceUrl, "--admin-urls", AdminUrl,
            "--db", Database, "--vendor-ca", Path.Combine(Dir["vendor"], "vendor-ca.pem"), "--tls-cert", Path.Combine(Dir["vendor"], "server.pem"),
            "--tls-key", Path.Combine(Dir["vendor"], "server.key"), "--signing-cert", Path.Combine(Dir["owner"], "owner.pem"),
            "--signing-key", Path.Combine(Dir["owner"], "owner.key"), "--images", Dir["images"], "--check-in", "5"], Dir["server.log"]);
        await VendorAdmin.WaitUntilServingAsync(Namespace, AdminUrl, Server, TimeSpan.FromSeconds(30));
    }

    /// <summary>An admin API call with curl in the WAN namespace; returns the status and the body.</summary>
    public (int Status, string Body) Admin(string method, string path, string? body = null, string? file = null) =>
        VendorAdmin.Call(Namespace, AdminUrl, Token, method, path, body, file: file);

    (int Status, string Body) Must((int Status, string Body) r, string what) =>
        r.Status is >= 200 and < 300 ? r : throw new InvalidOperationException($"{what}: {r.Status} {r.Body}");

    /// <summary>Uploads a firmware bundle as an image the server hands out; returns its name there.</summary>
    public string UploadFirmware(string bundle, string version)
    {
        string name = Path.GetFileName(bundle);
        Must(Admin("PUT", $"/api/v1/images/{name}?osName=cpe-firmware&osVersion={version}", file: bundle), "upload " + name);
        return name;
    }

    /// <summary>Publishes onboarding information (a host name, and a boot image when named) and enrolls the box with it.</summary>
    public void Enroll(string hostName, string? bootImage)
    {
        var bundle = new JsonObject
        {
            ["name"] = "lab-site",
            ["configuration"] = new JsonObject { ["schema-version"] = 1, ["system"] = new JsonObject { ["host-name"] = hostName } },
            ["configurationHandling"] = "merge",
            ["bootImage"] = bootImage,
        };
        Must(Admin("POST", "/api/v1/bundles", bundle.ToJsonString()), "publish");
        var enroll = new JsonObject
        {
            ["bundle"] = "lab-site",
            ["ownershipVoucher"] = Convert.ToBase64String(File.ReadAllBytes(Dir["voucher.cms"])),
            ["owner"] = "Example Owner",
            ["group"] = "lab",
        };
        Must(Admin("PUT", $"/api/v1/devices/{Serial}", enroll.ToJsonString()), "enroll");
    }

    /// <summary>What the owner wants on the box from now on: a host name (a new fleet revision each time) and a firmware image by name.</summary>
    public void SetFleet(string hostName, string? firmware)
    {
        var request = new JsonObject
        {
            ["configuration"] = new JsonObject { ["schema-version"] = 1, ["system"] = new JsonObject { ["host-name"] = hostName } },
            ["firmware"] = firmware,
        };
        Must(Admin("PUT", $"/api/v1/fleet/serial:{Serial}", request.ToJsonString()), "fleet");
    }

    /// <summary>The box's progress reports as "cpe-vendor-server progress" prints them.</summary>
    public string Progress() => Command.Run(Binaries.VendorServer, ["progress", "--db", Database, "--serial", Serial]);

    /// <summary>Waits until the box has reported <paramref name="type"/>; returns its progress reports so far.</summary>
    public async Task<string> WaitForProgressAsync(string type, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            string progress = Progress();
            if (progress.Contains(type, StringComparison.Ordinal)) return progress;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no {type} within {timeout.TotalSeconds:0} s; progress so far:\n{progress}");
            await Task.Delay(2000);
        }
    }

    /// <summary>Waits for a check-in that <paramref name="matches"/>; returns it.</summary>
    public async Task<JsonObject> WaitForCheckInAsync(Func<JsonObject, bool> matches, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var checkIns = CheckIns();
            if (checkIns.OfType<JsonObject>().FirstOrDefault(matches) is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no check-in {what} within {timeout.TotalSeconds:0} s; the last ones:\n{string.Join('\n', checkIns.Take(3))}");
            await Task.Delay(2000);
        }
    }

    /// <summary>The box's check-ins, newest first (the admin API's JSON).</summary>
    public JsonArray CheckIns() => JsonNode.Parse(Must(Admin("GET", $"/api/v1/devices/{Serial}/check-ins"), "check-ins").Body)!.AsArray();

    public JsonArray Downloads(string image) => JsonNode.Parse(Must(Admin("GET", $"/api/v1/images/{image}/downloads"), "downloads").Body)!.AsArray();

    public async ValueTask DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        if (File.Exists(Dir["dnsmasq.pid"]) && int.TryParse(File.ReadAllText(Dir["dnsmasq.pid"]).Trim(), out int pid))
        {
            try
            {
                using var dnsmasq = System.Diagnostics.Process.GetProcessById(pid);
                dnsmasq.Kill();
                dnsmasq.WaitForExit(5000);
            }
            catch (ArgumentException) { }   // already gone
        }
        // The tap goes with its namespace.
        if (File.Exists($"/run/netns/{Namespace}")) Command.Run("ip", ["netns", "del", Namespace], check: false);
        Dir.Dispose();
    }
}
