namespace Cpe.Config.Schema;

/// <summary>
/// The configuration schema, version <see cref="Version"/>. Each later subsystem fills its own
/// top-level section; until then those sections exist and accept nothing.
/// See docs/reference/configuration.md.
/// </summary>
public static class ConfigSchema
{
    public const int Version = 1;

    public static readonly ContainerNode Root = new("", "Configuration",
        new ContainerNode("system", "System parameters",
            new LeafNode("host-name", "Name of the box, shown in the prompt and sent to syslog", Types.HostName),
            new LeafNode("domain-name", "DNS domain the box belongs to", Types.DomainName),
            new LeafNode("time-zone", "Local time zone (IANA name, or UTC)", Types.TimeZone),
            new ContainerNode("ntp", "Network time",
                new LeafListNode("server", "NTP server to synchronise with", Types.HostOrAddress) { MaxItems = 8 }),
            new ContainerNode("syslog", "Remote system logging",
                new ListNode("host", "Remote syslog server", Types.HostOrAddress,
                    new LeafNode("port", "Destination port (default 514)", Types.Port),
                    new LeafNode("transport", "Transport protocol (default udp)",
                        new EnumType(("udp", "RFC 5426 over UDP"), ("tcp", "RFC 6587 over TCP"))),
                    new LeafNode("severity", "Lowest severity sent (default info)",
                        new EnumType(("emergency", "System is unusable"), ("alert", "Immediate action needed"),
                            ("critical", "Critical conditions"), ("error", "Error conditions"),
                            ("warning", "Warning conditions"), ("notice", "Normal but significant"),
                            ("info", "Informational"), ("debug", "Debug messages"))))
                { MaxEntries = 8 }),
            new ContainerNode("login", "Console and API login",
                new LeafNode("banner", "Message shown before the login prompt", Types.Text),
                new ListNode("user", "Login account", Types.UserName,
                    new LeafNode("class", "Role: what the user may do",
                        new EnumType(("admin", "Every command, including configuration"),
                            ("operator", "Show commands only; no configuration changes"))),
                    new LeafNode("full-name", "Person's name, for the record", Types.Text),
                    new ContainerNode("authentication", "How the user proves who they are",
                        new LeafNode("encrypted-password", "PBKDF2-SHA512 password hash", Types.PasswordHash)))
                { Mandatory = ["class"], MaxEntries = 64 })),
        NetworkSchema.Interfaces,
        NetworkSchema.Bridges,
        NetworkSchema.Sriov,
        VnfSchema.Vnfs,
        VnfSchema.Chains,
        new ContainerNode("phone-home", "Zero-touch provisioning and fleet check-in"));
}
