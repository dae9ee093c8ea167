using System.Text.Json.Nodes;
using Cpe.Api;
using Cpe.TestKit;

// The zero-touch demo on the simulated board: a factory-fresh box provisions itself from the vendor's server with
// nobody typing. Every program here is the real one: cpe-vendor makes the PKI, cpe-vendor-server runs in the WAN
// namespace, dnsmasq hands out option 143, and the box runs cped and cpe-phonehome (as an unprivileged user).
// Then a technician's session on a pseudo-terminal shows what the box did, and the operator pushes a change.
if (args.Length > 0) Environment.SetEnvironmentVariable("CPE_BIN_DIR", args[0]);

void Title(string text) => Console.WriteLine($"\n--- {text} ---");

await using var lab = await ZeroTouchLab.StartAsync(agentEcho: Console.Out);
Title("The vendor's side");
Console.WriteLine($"PKI made with cpe-vendor in {lab.Dir.Path}: vendor CA, TLS certificate for {ZeroTouchLab.ServerAddress}, owner CA and certificate,");
Console.WriteLine($"the IDevID of {lab.Serial} in its factory storage, and an ownership voucher pinning the owner CA.");
Console.WriteLine($"cpe-vendor-server: devices at {ZeroTouchLab.DeviceUrl} (mTLS), admin API at {ZeroTouchLab.AdminUrl} in {lab.Sim.Wan}");
Console.WriteLine($"dnsmasq in {lab.Sim.Wan} offers option 143 = {ZeroTouchLab.DeviceUrl}");

// The site's configuration: the LAN bridge on ge-0/0/1-2, 4 VFs, the first with its own MAC, VLAN 100 and trust.
var configuration = SiteBundle.Configuration("site-17", vfCount: 4);
configuration["sriov"]!["pf"]![0]!["vf"] = new JsonArray(new JsonObject { ["name"] = "0", ["mac"] = "02:00:00:00:00:10", ["vlan"] = 100, ["trust"] = true });
var bundle = SiteBundle.Bundle("site-17", configuration,
    postScript: "#!/bin/sh\necho \"post-configuration script: uid $(id -u), $(ls /sys/class/net | wc -w) network interface(s) visible\"\n");
Console.WriteLine("\noperator: POST /api/v1/bundles (configuration + post-configuration script, signed by the owner on publish)");
Console.WriteLine($"operator: PUT /api/v1/devices/{lab.Serial} (the bundle and the device's voucher)");
lab.Enroll(bundle);
Console.WriteLine("operator: " + lab.Admin("GET", $"/api/v1/devices/{lab.Serial}").Body);

Title("Power on: cped (factory default) and cpe-phonehome start; nobody types");
var clock = await lab.PowerOnAsync();
var complete = await lab.Agent!.WaitForLineAsync(l => l.Contains("ZTP: bootstrap-complete", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "bootstrap-complete");
var elapsed = clock.Elapsed - (DateTimeOffset.UtcNow - complete.Time);
Console.WriteLine($"\npower-on to bootstrap-complete: {elapsed.TotalMilliseconds:0} ms");

await lab.Agent.WaitForLineAsync(l => l.Contains("[in-service]", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the first check-in");
Title("The progress timeline as the server recorded it (cpe-vendor-server progress)");
Console.Write(lab.Progress());

Title("The status LED on the front panel, as the board drove it (the technician's table: docs/guides/cli.md)");
await using (var api = await lab.Cped!.ConnectAsync())
    foreach (var e in (await api.LogAsync(500)).Where(e => e.Type == "led"))
        Console.WriteLine($"{e.Time:HH:mm:ss.fff} {e.Text}");

Title("The LAN host reaches the WAN host through the box");
await using (var api = await lab.Cped!.ConnectAsync())
{
    string wan = (await api.DhcpClientsAsync()).Single().Address!.Split('/')[0];
    lab.OnLanHost("ip", "addr", "add", "192.168.1.10/24", "dev", "lan1");
    lab.OnLanHost("ip", "route", "add", "default", "via", "192.168.1.1");
    Command.Run("ip", ["netns", "exec", lab.Sim.Wan, "ip", "route", "add", "192.168.1.0/24", "via", wan]);
    Console.Write(lab.OnLanHost("ping", "-c", "2", "-W", "2", ZeroTouchLab.ServerAddress));
}

Title("Fleet: the operator pushes a change; the box commits it confirmed and the next check-in confirms it");
var push = new JsonObject { ["handling"] = "merge", ["configuration"] = new JsonObject { ["schema-version"] = 1, ["system"] = new JsonObject { ["host-name"] = "site-17a" } } };
Console.WriteLine($"operator: PUT /api/v1/fleet/serial:{lab.Serial} → {lab.Admin("PUT", $"/api/v1/fleet/serial:{lab.Serial}", push.ToJsonString()).Body}");
await lab.Agent.WaitForLineAsync(l => l.Contains("fleet revision 1 confirmed", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the confirmation");

Title("A technician's session on the console (80x200 pseudo-terminal)");
string[] session = ["show chassis hardware", "show chassis environment", "show system zero-touch", "show system commit", "show interfaces terse", "show bridge", "show sriov", "show log 12"];
using (var tty = PtyDriver.Start(Binaries.Cpe, ["--socket", lab.Cped.SocketPath], rows: 200, columns: 80, echo: Console.Out))
{
    tty.WaitFor("> ");
    foreach (var command in session)
    {
        await Task.Delay(100);
        tty.Run(command, "> ");
    }
    tty.Type("exit\r");
    tty.Process.WaitForExit(5000);
}
Console.WriteLine($"\n\nzero-touch demo complete: {lab.Serial} bootstrapped in {elapsed.TotalMilliseconds:0} ms from power-on");

// A second box, for the VNFs: the signed sample packages from the build, a chain LAN → firewall (2 replicas) → NAT → WAN.
Title("Service chain: LAN host → ge-0/0/1 → firewall x2 → NAT → ge-0/0/0 → WAN host");
await using (var chain = new ChainLab())
{
    chain.AddressLanHost();
    await chain.StartCpedAsync();
    async Task Technician(string commands)
    {
        var r = await chain.Cli(commands);
        Console.WriteLine($"cpe> {commands.Replace("; ", "\ncpe> ", StringComparison.Ordinal)}\n{r.Output}{r.Error}");
    }
    await Technician($"request vnf package add {ChainLab.Package("firewall")}; request vnf package add {ChainLab.Package("nat")}; show vnf package");
    const string Vnfs = "configure; set vnfs vnf fw package firewall replicas 2 cpus 0.2; set vnfs vnf nat package nat cpus 0.2; "
        + "set vnfs vnf nat environment NAT_INSIDE_IP=192.168.50.1; set vnfs vnf nat environment NAT_OUTSIDE_IP=192.0.2.200; "
        + "set vnfs vnf nat environment NAT_OUTSIDE_PREFIX=24; set chains chain inet ingress ge-0/0/1 egress ge-0/0/0 hop fw; set chains chain inet hop nat; ";
    await Technician(Vnfs + "set vnfs vnf fw cpus 4; commit check");
    await Technician(Vnfs + "commit");
    await chain.WaitForVnfsAsync(v => v.Length == 3 && v.All(i => i.State == "running"), "three VNFs running");
    Console.Write(Command.Run("ip", ["netns", "exec", chain.Sim.Lan, "ping", "-c", "3", "-W", "2", ZeroTouchLab.ServerAddress], check: false));
    await Technician("show vnf; show chain");
    await Technician("configure; delete chains; delete vnfs; commit");
}
Console.WriteLine("\nservice chain demo complete");

await ImageDemo.RunAsync(Title);
Console.WriteLine("\nfirmware image demo complete");
