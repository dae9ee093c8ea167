using Cpe.TestKit;

// The demo as a technician would see it on the serial console of the simulated board: every character
// below is what the real cpe printed on a real pseudo-terminal, talking to a real cped that manages the
// board's real network namespaces, veth ports, emulated SR-IOV NIC and DHCP lease from dnsmasq.
if (args.Length > 0) Environment.SetEnvironmentVariable("CPE_BIN_DIR", args[0]);

string[] session =
[
    "show version",
    "show dhcp client",
    "show interfaces terse",
    "show system commit",
    "configure",
    "set system host-name site-17",
    "set system login banner \"Authorised use only\"",
    "set system ntp server 192.0.2.1",
    "set system login user tech class admin full-name \"Field technician\"",
    "show | compare",
    "commit check",
    "commit comment \"first site configuration\"",
    "exit",
    "show configuration",
    "show configuration | display set",
    "configure",
    "set system host-name \"bad name\"",
    "rollback 1",
    "show | compare",
    "commit comment \"back to factory default\"",
    "exit",
    "show configuration system host-name",
    "show system commit",
    "configure",
    "set bridges bridge lan description \"customer LAN\" address 192.168.1.1/24",
    "set bridges bridge lan interface ge-0/0/1",
    "set bridges bridge lan interface ge-0/0/2",
    "set sriov pf sriov0 vf-count 4 vf 0 mac 02:00:00:00:00:10 vlan 100 trust true max-tx-rate 500",
    "commit comment \"LAN bridge and VFs\"",
    "exit",
    "show interfaces terse",
    "show bridge",
    "show sriov",
    "show route",
    "show log 8",
];

using var sim = new SimBoard(lanPorts: 3, totalVfs: 7, sztpUrls: ["https://bootstrap.example.net:8443"]);
Console.WriteLine($"simulated board up: namespaces {sim.Box}, {sim.Lan}, {sim.Wan}; profile {sim.ProfilePath}");
await using var cped = new DaemonProcess { NetworkNamespace = sim.Box, BoardProfile = sim.ProfilePath };
var ready = await cped.StartAsync();
Console.WriteLine($"cped started on {cped.SocketPath} (state in {cped.StateDirectory}); API ready after {ready.TotalMilliseconds:0} ms");
Console.WriteLine("Technician's session on a pseudo-terminal (80x200):\n");

using var tty = PtyDriver.Start(Binaries.Cpe, ["--socket", cped.SocketPath], rows: 200, columns: 80, echo: Console.Out);
tty.WaitFor("> ");
// The factory default asks DHCP for the WAN address; give the lease a moment, as a technician would.
await using (var api = await cped.ConnectAsync())
    for (int i = 0; i < 100 && !(await Cpe.Api.ApiCalls.DhcpClientsAsync(api)).Any(c => c.State == "bound"); i++) await Task.Delay(50);
bool configuring = false;
foreach (var command in session)
{
    await Task.Delay(150);
    if (command == "configure") configuring = true;
    else if (command == "exit") configuring = false;
    tty.Run(command, configuring ? "# " : "> ");
}
// Leave the way a technician does; the last prompt ends the demo.
tty.Type("exit\r");
tty.Process.WaitForExit(5000);
Console.WriteLine($"\n\nkernel host name inside cped's UTS namespace: {cped.KernelHostName()}");
Console.WriteLine($"cped stopped with exit code {await cped.StopAsync()}");
