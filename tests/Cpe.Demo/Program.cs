using Cpe.TestKit;

// The demo as a technician would see it on the serial console: every character below is what the
// real cpe printed on a real pseudo-terminal, talking to a real cped.
if (args.Length > 0) Environment.SetEnvironmentVariable("CPE_BIN_DIR", args[0]);

string[] session =
[
    "show version",
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
    "show log 6",
];

await using var cped = new DaemonProcess();
var ready = await cped.StartAsync();
Console.WriteLine($"cped started on {cped.SocketPath} (state in {cped.StateDirectory}); API ready after {ready.TotalMilliseconds:0} ms");
Console.WriteLine("Technician's session on a pseudo-terminal (80x200):\n");

using var tty = PtyDriver.Start(Binaries.Cpe, ["--socket", cped.SocketPath], rows: 200, columns: 80, echo: Console.Out);
tty.WaitFor("> ");
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
