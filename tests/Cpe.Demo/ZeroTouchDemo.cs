using System.Text.Json.Nodes;
using Cpe.Api;
using Cpe.TestKit;

/// <summary>
/// Zero-touch on the simulated board: a factory-fresh box provisions itself from the vendor's server with nobody
/// typing. Every program is the real one: cpe-vendor makes the PKI, cpe-vendor-server runs on the simulated WAN,
/// dnsmasq hands out option 143, and the box runs cped and cpe-phonehome (as an unprivileged user). Then a
/// technician's session on a pseudo-terminal shows what the box did, after the operator pushed a change.
/// </summary>
static class ZeroTouchDemo
{
    public static async Task RunAsync(Action<string> title)
    {
        // The agent's lines are shown until the technician logs in; the lab (and the agent) are gone before the next part.
        var agentLines = new MutableLines(Console.Out);
        await using var lab = await ZeroTouchLab.StartAsync(agentEcho: agentLines);
        title("The vendor's side");
        Console.WriteLine($"PKI made with cpe-vendor: the vendor CA, a TLS certificate for {ZeroTouchLab.ServerAddress}, the owner's CA and certificate,");
        Console.WriteLine($"the IDevID of {lab.Serial} in its factory storage, and an ownership voucher pinning the owner CA.");
        Console.WriteLine($"cpe-vendor-server on the simulated WAN: devices at {ZeroTouchLab.DeviceUrl} (mutual TLS), admin API at {ZeroTouchLab.AdminUrl}");
        Console.WriteLine($"dnsmasq on the WAN offers DHCP option 143 = {ZeroTouchLab.DeviceUrl}");

        // The site's configuration: the LAN bridge on ge-0/0/1-2, 4 VFs, the first with its own MAC, VLAN 100 and trust.
        var configuration = SiteBundle.Configuration("site-17", vfCount: 4);
        configuration["sriov"]!["pf"]![0]!["vf"] = new JsonArray(new JsonObject { ["name"] = "0", ["mac"] = "02:00:00:00:00:10", ["vlan"] = 100, ["trust"] = true });
        var bundle = SiteBundle.Bundle("site-17", configuration,
            postScript: "#!/bin/sh\necho \"post-configuration script: uid $(id -u), $(ls /sys/class/net | wc -w) network interface(s) visible\"\n");
        Console.WriteLine("\noperator: POST /api/v1/bundles: site-17, its configuration and a post-configuration script, signed by the owner on publish");
        lab.Enroll(bundle);
        var device = JsonNode.Parse(lab.Admin("GET", $"/api/v1/devices/{lab.Serial}").Body)!;
        Console.WriteLine($"operator: PUT /api/v1/devices/{lab.Serial} with the bundle and the device's voucher: {device["state"]}, group {device["group"]}, "
            + $"{((bool)device["signed"]! ? "signed onboarding information" : "unsigned")}, not seen yet");

        title("Power on: cped (factory default) and cpe-phonehome start; nobody types");
        var clock = await lab.PowerOnAsync();
        var complete = await lab.Agent!.WaitForLineAsync(l => l.Contains("ZTP: bootstrap-complete", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "bootstrap-complete");
        var elapsed = clock.Elapsed - (DateTimeOffset.UtcNow - complete.Time);
        await lab.Agent.WaitForLineAsync(l => l.Contains("[in-service]", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the first check-in");
        Console.WriteLine($"\npower-on to bootstrap-complete: {elapsed.TotalMilliseconds:0} ms");

        title("The progress timeline as the server recorded it (cpe-vendor-server progress)");
        Console.Write(lab.Progress());

        title("The status LED on the front panel, as the board drove it (the technician's table: docs/guides/cli.md)");
        await using (var api = await lab.Cped!.ConnectAsync())
            foreach (var e in (await api.LogAsync(500)).Where(e => e.Type == "led"))
                Console.WriteLine($"{e.Time:HH:mm:ss.fff} {e.Text}");

        title("The LAN host reaches the WAN host through the box");
        await using (var api = await lab.Cped!.ConnectAsync())
        {
            string wan = (await api.DhcpClientsAsync()).Single().Address!.Split('/')[0];
            lab.OnLanHost("ip", "addr", "add", "192.168.1.10/24", "dev", "lan1");
            lab.OnLanHost("ip", "route", "add", "default", "via", "192.168.1.1");
            Command.Run("ip", ["netns", "exec", lab.Sim.Wan, "ip", "route", "add", "192.168.1.0/24", "via", wan]);
            Console.Write(lab.OnLanHost("ping", "-c", "2", "-W", "2", ZeroTouchLab.ServerAddress));
        }

        title("Fleet: the operator deploys a change; the box commits it confirmed, its next check-in confirms it, it bakes 10 s");
        var spec = new JsonObject
        {
            ["name"] = "site-17a", ["configuration"] = new JsonObject { ["schema-version"] = 1, ["system"] = new JsonObject { ["host-name"] = "site-17a" } },
            ["target"] = new JsonObject { ["serials"] = new JsonArray(lab.Serial) }, ["phases"] = new JsonArray(new JsonObject { ["percent"] = 100, ["bakeSeconds"] = 10 }),
        };
        var made = JsonNode.Parse(lab.Admin("POST", "/api/v1/deployments", spec.ToJsonString()).Body)!;
        Console.WriteLine($"operator: POST /api/v1/deployments (host-name site-17a): deployment {made["id"]}, fleet revision {made["configRevision"]}; the box joins at its next check-in");
        string seen = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(90); DateTime.UtcNow < deadline && seen != "succeeded"; await Task.Delay(250))
        {
            var members = JsonNode.Parse(lab.Admin("GET", $"/api/v1/deployments/{made["id"]}/devices").Body)!.AsArray();
            string now = members.Count == 0 ? "" : members[0]!["state"]!.GetValue<string>();
            if (now != seen && now.Length > 0) Console.WriteLine($"deployment {made["id"]}: {lab.Serial} {now}");
            seen = now;
        }
        // The phase gate (every second on the server) completes the deployment once its last device succeeded.
        var deployment = JsonNode.Parse(lab.Admin("GET", $"/api/v1/deployments/{made["id"]}").Body)!;
        for (var deadline = DateTime.UtcNow.AddSeconds(10); seen == "succeeded" && deployment["status"]!.GetValue<string>() == "running" && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(250);
            deployment = JsonNode.Parse(lab.Admin("GET", $"/api/v1/deployments/{made["id"]}").Body)!;
        }
        Console.WriteLine($"deployment {made["id"]}: {deployment["status"]}; the fleet UI shows it at {ZeroTouchLab.AdminUrl}/ui/ (on the lab's WAN)");

        title("A technician's session on the console (an 80-column pseudo-terminal)");
        agentLines.Muted = true;
        var screen = new NarratedConsole();
        screen.Note("the agent goes on checking in; its lines are left out from here");
        using (var tty = PtyDriver.Start(Binaries.Cpe, ["--socket", lab.Cped.SocketPath], rows: 200, columns: 80, echo: screen))
        {
            tty.WaitFor("> ");
            foreach (var command in (string[])["show chassis hardware", "show chassis environment", "show system zero-touch", "show system commit",
                "show interfaces terse", "show bridge", "show sriov", "ping 192.0.2.1 count 2", "show log 12"])
                tty.Run(command, "> ");
            tty.Type("exit\r");
            tty.Process.WaitForExit(5000);
        }
        screen.Flush();
        Console.WriteLine($"\nzero-touch demo complete: {lab.Serial} bootstrapped in {elapsed.TotalMilliseconds:0} ms from power-on");
    }
}
