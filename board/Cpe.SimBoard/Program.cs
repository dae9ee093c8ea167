using Cpe.Netlink;
using Cpe.SimBoard;

// cpe-sim net up|down: the simulated board's network; cpe-sim watchdog: its watchdog and power supply
// (docs/reference/simulated-board.md).
try
{
    if (args.Length > 0 && args[0] == "watchdog")
    {
        using var stop = new CancellationTokenSource();
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        return await SimWatchdog.Parse(args[1..]).RunAsync(stop.Token);
    }
    if (args.Length < 2 || args[0] != "net" || args[1] is not ("up" or "down"))
    {
        Console.Error.WriteLine(SimNetworkOptions.Usage + "\n" + SimWatchdog.Usage);
        return 2;
    }
    var options = SimNetworkOptions.Parse(args[2..]);
    if (args[1] == "up")
    {
        SimNetwork.Up(options);
        Console.WriteLine($"box namespace:  /run/netns/{options.BoxNamespace}");
        Console.WriteLine($"lan namespace:  /run/netns/{options.LanNamespace}");
        Console.WriteLine($"wan namespace:  /run/netns/{options.WanNamespace} (dnsmasq on wan0, 192.0.2.1)");
        Console.WriteLine($"board profile:  {options.ProfilePath}");
    }
    else SimNetwork.Down(options);
    return 0;
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
{
    Console.Error.WriteLine($"cpe-sim: {e.Message}");
    return 1;
}
