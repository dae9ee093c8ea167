namespace Cpe.Cli.Shell;

/// <summary>What a command takes after its keywords.</summary>
public enum ArgKind
{
    None,
    /// <summary>A configuration path ending in a value (set).</summary>
    SetPath,
    /// <summary>A configuration path in the candidate (delete, edit, show in configuration mode).</summary>
    CandidatePath,
    /// <summary>A configuration path in the active configuration (show configuration).</summary>
    ActivePath,
    Number,
    Text,
    FileOrTerminal,
    /// <summary>An operational-mode command line (run).</summary>
    Operational,
    /// <summary>A host, then the command's options (its children) in any order, some with a value: ping, traceroute.</summary>
    Probe,
}

/// <summary>One keyword of the CLI, its help text, and what may follow it.</summary>
public sealed record Cmd(string Name, string Help, Cmd[] Children, ArgKind Arg = ArgKind.None, string ArgHelp = "")
{
    public Cmd(string name, string help, ArgKind arg = ArgKind.None, string argHelp = "") : this(name, help, [], arg, argHelp) { }
}

/// <summary>The command trees of the two modes (docs/guides/cli.md lists each command with an example).</summary>
public static class Grammar
{
    /// <summary>
    /// Refuses a word the command tree has no place for, before the command runs, with one message for every command
    /// (as Junos does: <c>show version foo</c> is an error, not <c>show version</c>). A keyword that takes an argument
    /// takes the rest of the line as its own, which its command then checks.
    /// </summary>
    public static void CheckWords(IReadOnlyList<string> words, IReadOnlyList<Cmd> tree, string mode)
    {
        IReadOnlyList<Cmd> choices = tree;
        Cmd? current = null;
        var path = new List<string>();
        foreach (string word in words)
        {
            if (current is { Arg: ArgKind.Probe }) return;   // a host first (any word), then options: the command parses them
            var child = choices.Where(c => c.Name == word).Concat(choices.Where(c => c.Name.StartsWith(word, StringComparison.Ordinal))).Take(2).ToList();
            if (current is { Arg: not ArgKind.None } && (child.Count == 0 || (child.Count > 1 && child[0].Name != word))) return;
            if (current is { Children.Length: 0 })
                throw new CliException($"syntax error: unexpected '{word}': '{string.Join(' ', path)}' takes nothing more") { Token = word };
            current = choices.First(c => c.Name == Keyword.Resolve(word, choices.Select(x => x.Name), path.Count == 0 ? mode : $"after '{string.Join(' ', path)}'"));
            path.Add(current.Name);
            choices = current.Children;
        }
    }

    public static readonly Cmd[] Operational =
    [
        new("clear", "Reset counters",
        [
            new Cmd("interfaces", "Interface counters",
                [new Cmd("statistics", "Traffic and error counters (all interfaces, or one)", ArgKind.Text, "<name> Interface, e.g. ge-0/0/1")]),
        ]),
        new("configure", "Enter configuration mode", [new Cmd("exclusive", "Lock the configuration for this session")]),
        new("exit", "Leave the CLI"),
        new("file", "Files on the box: what was pushed over the console cable (admin class)",
        [
            new Cmd("delete", "Delete a file", ArgKind.Text, "<path> A file; a bare name is in the incoming folder"),
            new Cmd("list", "List a folder (default: the incoming folder) or a file", ArgKind.Text, "<path> A folder or file; a bare name is in the incoming folder"),
        ]),
        new("monitor", "Watch the box live, until Ctrl-C", [new Cmd("log", "The platform's log lines and events as they are written")]),
        new("ping", "Send ICMP echo requests to a host, from the box or a VNF (Ctrl-C stops)",
        [
            new Cmd("count", "Requests to send (default: until Ctrl-C; 5 from a script or with rapid)", ArgKind.Number, "<count> 1..1000000"),
            new Cmd("do-not-fragment", "Set don't-fragment (with size, finds a path's MTU)"),
            ProbeInterface, ProbeSource,
            new Cmd("interval", "Seconds between requests (default 1)", ArgKind.Text, "<seconds> 0.1..60"),
            new Cmd("rapid", "Send each request when the last is answered; ! for a reply, . for none"),
            new Cmd("size", "Data bytes in each request (default 56)", ArgKind.Number, "<bytes> 0..65468"),
            new Cmd("ttl", "Time to live of each request", ArgKind.Number, "<hops> 1..255"),
            ProbeVnf,
            new Cmd("wait", "Seconds each request waits for its answer (default 1)", ArgKind.Text, "<seconds> 0.001..10"),
        ], ArgKind.Probe, "<host> Address or name of the host"),
        new("quit", "Leave the CLI"),
        new("request", "Ask the box to do something",
        [
            new Cmd("system", "The box itself",
            [
                new Cmd("power-off", "Stop the platform and power the box off (asks first)"),
                new Cmd("reboot", "Reboot the box (asks first)", [new Cmd("slot", "Boot a given slot", [new Cmd("other", "The other firmware slot, if it holds good firmware")])]),
                new Cmd("software", "Firmware in the A/B slots",
                [
                    new Cmd("add", "Install a signed firmware bundle into the other slot; add 'reboot' to boot it when done", ArgKind.Text, "<file|url> [reboot] Path on the box, or an http(s) URL"),
                    new Cmd("rollback", "Boot the other slot's (good) firmware from the next reboot on", [new Cmd("reboot", "And reboot now")]),
                ]),
                new Cmd("zero-touch", "Zero-touch provisioning", [new Cmd("retry", "Start the next round over the sources now, not at its scheduled time")]),
                new Cmd("zeroize", "Erase configuration and state, keep the identity, reboot to factory default (asks first)"),
            ]),
            new Cmd("vnf", "Virtual network functions",
            [
                new Cmd("package", "The image store",
                [
                    new Cmd("add", "Verify a signed VNF package and add it to the image store", ArgKind.Text, "<file|url> Path on the box, or an http(s) URL"),
                    new Cmd("delete", "Delete a package no VNF uses", ArgKind.Text, "<name[:version]> Package"),
                ]),
                new Cmd("restart", "Restart a VNF's replicas (or one instance); a failed one starts afresh", ArgKind.Text, "<name> VNF or instance"),
                new Cmd("start", "Start a VNF stopped by 'request vnf stop'", ArgKind.Text, "<name> VNF or instance"),
                new Cmd("stop", "Stop a VNF until the next commit or restart of the platform", ArgKind.Text, "<name> VNF or instance"),
            ]),
            new Cmd("zero-touch", "Zero-touch provisioning",
            [
                new Cmd("load", "Push a zero-touch file over the console: base64 (PEM lines allowed), or a text server list",
                [
                    new Cmd("bootstrap-servers", "Bootstrap server URIs, one per line", ArgKind.FileOrTerminal, "<file> Path, or 'terminal' to paste"),
                    new Cmd("conveyed-information", "Signed conveyed information (CMS)", ArgKind.FileOrTerminal, "<file> Path, or 'terminal' to paste"),
                    new Cmd("owner-certificate", "The owner certificate artifact (CMS)", ArgKind.FileOrTerminal, "<file> Path, or 'terminal' to paste"),
                    new Cmd("ownership-voucher", "The ownership voucher (CMS)", ArgKind.FileOrTerminal, "<file> Path, or 'terminal' to paste"),
                ]),
            ]),
        ]),
        new("show", "Show information about the box",
        [
            new Cmd("arp", "The IPv4 neighbour (ARP) cache: addresses and their MAC addresses"),
            new Cmd("bridge", "Bridges, their ports and VLANs", [new Cmd("mac-table", "Learned and static MAC addresses")]),
            new Cmd("chain", "Service chains: hops, replicas and their packet counters", ArgKind.Text, "<name> One chain"),
            new Cmd("chassis", "The box's hardware",
            [
                new Cmd("environment", "Temperatures, fans and voltages, the status LED, the watchdog"),
                new Cmd("hardware", "Model, serial number, CPU, memory, disks, NICs, firmware"),
            ]),
            new Cmd("configuration", "Committed configuration (optionally a path)", ArgKind.ActivePath),
            new Cmd("dhcp", "DHCP", [new Cmd("client", "Leases held and the options received")]),
            new Cmd("interfaces", "Ports, bridges and VFs: state, addresses, counters",
                [new Cmd("detail", "Everything, with all counters"), new Cmd("extensive", "As detail: every counter the kernel keeps"), new Cmd("terse", "One line each")],
                ArgKind.Text, "<name> One interface, e.g. ge-0/0/1 (then optionally detail or extensive)"),
            new Cmd("ipv6", "IPv6", [new Cmd("neighbors", "The IPv6 neighbour cache: addresses and their MAC addresses")]),
            new Cmd("lldp", "LLDP", [new Cmd("neighbors", "The switches and hosts the front ports hear over LLDP",
                [new Cmd("detail", "Everything each neighbour says: port description, system description, management address")])]),
            new Cmd("log", "Recent events, newest last", [new Cmd("messages", "The platform's log file (its daemons' lines), newest last")],
                ArgKind.Number, "<count> Number of events (default 50)"),
            new Cmd("route", "Routing table"),
            new Cmd("sriov", "SR-IOV physical functions and their VFs"),
            new Cmd("system", "System information",
            [
                new Cmd("alarms", "Active alarms"),
                new Cmd("commit", "Configuration revisions: who, when, from where, why"),
                new Cmd("software", "Firmware slots: versions, states, boot tries, the last fallback and why"),
                new Cmd("uptime", "Time since boot, start and last commit"),
                new Cmd("users", "Sessions connected to the platform"),
                new Cmd("zero-touch", "Zero-touch provisioning: where it is, and its recent steps"),
            ]),
            new Cmd("version", "Software and model"),
            new Cmd("vnf", "VNF instances: state, PID, restarts",
            [
                new Cmd("detail", "Limits, usage, namespace and interfaces too"),
                new Cmd("log", "The VNF's recent output"),
                new Cmd("package", "Packages in the image store"),
                new Cmd("resources", "CPU, memory and processes against their limits"),
            ], ArgKind.Text, "<name> One VNF or instance"),
        ]),
        new("traceroute", "Show the routers on the way to a host (Ctrl-C stops)",
        [
            ProbeInterface, ProbeSource,
            new Cmd("ttl", "The most hops to try (default 30)", ArgKind.Number, "<hops> 1..255"),
            ProbeVnf,
            new Cmd("wait", "Seconds each probe waits for its answer (default 2)", ArgKind.Text, "<seconds> 0.001..10"),
        ], ArgKind.Probe, "<host> Address or name of the host"),
    ];

    static Cmd ProbeInterface => new("interface", "Send out of this interface only (a WAN or a LAN port)", ArgKind.Text, "<name> Interface, e.g. ge-0/0/0");
    static Cmd ProbeSource => new("source", "Send from this address of the box", ArgKind.Text, "<address> Source address");
    static Cmd ProbeVnf => new("vnf", "Send from inside this VNF instance's network namespace", ArgKind.Text, "<name> VNF instance, e.g. fw-0");

    public static readonly Cmd[] CommitOptions =
    [
        new("and-quit", "Commit, then leave configuration mode"),
        new("check", "Validate the candidate without committing"),
        new("comment", "Record a comment with the revision", ArgKind.Text, "<\"text\"> Comment"),
        new("confirmed", "Roll back by itself unless confirmed within N minutes", ArgKind.Number, "<minutes> 1..65535"),
    ];

    public static readonly Cmd[] Configuration =
    [
        new("annotate", "Put a comment on a statement, shown as /* comment */ above it (\"\" removes it)", ArgKind.CandidatePath),
        new("commit", "Commit the candidate configuration", CommitOptions),
        new("delete", "Remove a configuration element", ArgKind.CandidatePath),
        new("edit", "Move to a level of the configuration", ArgKind.CandidatePath),
        new("exit", "Leave this level, or configuration mode at the top", [new Cmd("configuration-mode", "Leave configuration mode")]),
        new("load", "Load configuration from JSON, or set commands",
        [
            new Cmd("merge", "Merge into the candidate", ArgKind.FileOrTerminal, "<file> Path of a file (curly-brace text or JSON), or 'terminal'"),
            new Cmd("replace", "Replace the candidate (at this level)", ArgKind.FileOrTerminal, "<file> Path of a file (curly-brace text or JSON), or 'terminal'"),
            new Cmd("set", "Set and delete commands, one per line, as '| display set' prints them (all or none)", ArgKind.FileOrTerminal, "<file> Path of a file of commands, or 'terminal'"),
        ]),
        new("quit", "Same as exit", [new Cmd("configuration-mode", "Leave configuration mode")]),
        new("rollback", "Load a previous revision into the candidate", ArgKind.Number, "<number> 0 is the active configuration"),
        new("run", "Run an operational command", ArgKind.Operational),
        new("set", "Set a configuration value", ArgKind.SetPath),
        new("show", "Show the candidate configuration (optionally a path)", ArgKind.CandidatePath),
        new("top", "Move to the top level"),
        new("up", "Move up one level"),
        new("update", "Merge the candidate's changes onto a revision committed since it was started"),
    ];
}
