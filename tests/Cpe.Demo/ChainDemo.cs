using Cpe.Api;
using Cpe.TestKit;

/// <summary>
/// A second box for the VNFs: the build's signed sample packages added from the console, a chain LAN → firewall (two
/// replicas) → NAT → WAN configured and committed, traffic through it, its counters, and its removal.
/// </summary>
static class ChainDemo
{
    const string Wan = ZeroTouchLab.ServerAddress;

    public static async Task RunAsync(Action<string> title)
    {
        title("Service chain: LAN host → ge-0/0/1 → firewall x2 → NAT → ge-0/0/0 → WAN host");
        await using var chain = new ChainLab();
        chain.AddressLanHost();
        // The hosts speak IPv4 only: the sample firewall passes IPv4 and drops the rest, and their IPv6 chatter
        // (router solicitations) would show in its counters as drops nobody asked for.
        foreach (var host in new[] { chain.Sim.Lan, chain.Sim.Wan })
            Command.Run("ip", ["netns", "exec", host, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1"]);
        await chain.StartCpedAsync();

        var screen = new NarratedConsole();
        using var tty = PtyDriver.Start(Binaries.Cpe, ["--socket", chain.Cped.SocketPath], rows: 200, columns: 80, echo: screen);
        tty.WaitFor("> ");
        screen.Note("the build's signed sample packages, checked against the vendor CA before anything is unpacked");
        tty.Run($"request vnf package add {Path.GetFullPath(ChainLab.Package("firewall"))}", "> ");
        tty.Run($"request vnf package add {Path.GetFullPath(ChainLab.Package("nat"))}", "> ");
        tty.Run("show vnf package", "> ");
        tty.Run("configure", "# ");
        foreach (var set in (string[])["set vnfs vnf fw package firewall replicas 2 cpus 4", "set vnfs vnf nat package nat cpus 0.2",
            "set vnfs vnf nat environment NAT_INSIDE_IP=192.168.50.1", "set vnfs vnf nat environment NAT_OUTSIDE_IP=192.0.2.200",
            "set vnfs vnf nat environment NAT_OUTSIDE_PREFIX=24", "set chains chain inet ingress ge-0/0/1 egress ge-0/0/0 hop fw",
            "set chains chain inet hop nat"])
            tty.Run(set, "# ");
        screen.Note("4 CPUs for each firewall replica is more than this board has for VNFs: commit check says so, and nothing is applied");
        tty.Run("commit check", "# ");
        tty.Run("set vnfs vnf fw cpus 0.2", "# ");
        tty.Run("commit", "# ");
        tty.Run("exit", "> ");
        await chain.WaitForVnfsAsync(v => v.Length == 3 && v.All(i => i.State == "running"), "three VNFs running");

        // The first packet through the new chain makes the NAT ask for the WAN host's MAC address; the sample NAT keeps
        // no queue, so it drops that packet while it asks. Pings until one comes back, then the three shown.
        int unanswered = 0;
        while (!WireLab.Pings(chain.Lan, Wan) && ++unanswered < 10) { }
        screen.Note($"the LAN host pings the WAN host through the chain ({Unanswered(unanswered)})");
        screen.Print($"lan-host$ ping -c 3 {Wan}");
        screen.Print(Command.Run("ip", ["netns", "exec", chain.Sim.Lan, "ping", "-c", "3", "-W", "2", Wan], check: false).TrimEnd('\n'));
        screen.Note("the counters: what each hop took in and passed on, both ways; a flow (one ping is one) stays on one firewall replica");
        tty.Run("show chain", "> ");
        tty.Run("show vnf", "> ");
        tty.Run("configure", "# ");
        tty.Run("delete chains", "# ");
        tty.Run("delete vnfs", "# ");
        tty.Run("commit and-quit", "> ");
        tty.Type("exit\r");
        tty.Process.WaitForExit(5000);
        screen.Flush();
        Console.WriteLine("\nservice chain demo complete");
    }

    static string Unanswered(int n) => n switch
    {
        0 => "the NAT had learned its MAC address already",
        1 => "one ping went unanswered first: the NAT dropped it while it asked for the WAN host's MAC address",
        _ => $"{n} pings went unanswered first while the chain came up",
    };
}
