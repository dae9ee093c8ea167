using System.Text.RegularExpressions;

namespace Cpe.Config.Schema;

/// <summary>The leaf types the schema uses, each defined once.</summary>
public static partial class Types
{
    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex HostNamePattern();

    [GeneratedRegex(@"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex DomainNamePattern();

    [GeneratedRegex(@"^(UTC|(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific)(/[A-Z0-9][A-Za-z0-9_+-]+){1,2}|Etc/(UTC|GMT([+-]\d{1,2})?))$")]
    private static partial Regex TimeZonePattern();

    [GeneratedRegex(@"^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex UserNamePattern();

    [GeneratedRegex(@"^\$pbkdf2-sha512\$i=\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$")]
    private static partial Regex PasswordHashPattern();

    [GeneratedRegex(@"^(ge|xe|et|mge)-\d{1,2}/\d{1,2}/\d{1,2}$")]
    private static partial Regex PortNamePattern();

    [GeneratedRegex(@"^[a-z][a-z0-9-]{0,11}$")]
    private static partial Regex BridgeNamePattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_.-]{0,14}$")]
    private static partial Regex NetdevNamePattern();

    [GeneratedRegex(@"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")]
    private static partial Regex MacPattern();

    [GeneratedRegex(@"^[^\x00-\x08\x0b-\x1f\x7f]*$")]
    private static partial Regex PrintablePattern();

    public static readonly LeafType HostName = new TextType("<host-name>",
        "must be a host name: 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen",
        HostNamePattern(), 63);

    public static readonly LeafType DomainName = new TextType("<domain-name>",
        "must be a DNS name: labels of letters, digits and hyphens separated by dots, at most 253 characters",
        DomainNamePattern(), 253);

    public static readonly LeafType TimeZone = new TextType("<time-zone>",
        "must be UTC or an IANA time zone (Area/Location, such as Europe/Paris or Etc/GMT+2)",
        TimeZonePattern(), 64);

    public static readonly LeafType UserName = new TextType("<user-name>",
        "must be a login name: a lowercase letter or underscore, then up to 31 lowercase letters, digits, underscores or hyphens",
        UserNamePattern(), 32);

    public static readonly LeafType PasswordHash = new TextType("<password-hash>",
        "must be a PBKDF2-SHA512 hash as $pbkdf2-sha512$i=ITERATIONS$SALT$HASH (use plain-text-password to make one)",
        PasswordHashPattern(), 512);

    public static readonly LeafType Text = new TextType("<text>",
        "must be text without control characters other than newline and tab, at most 2048 characters",
        PrintablePattern(), 2048);

    public static readonly LeafType PortName = new TextType("<port-name>",
        "must be a front port name such as ge-0/0/1 (type ge, xe, et or mge, then FPC/PIC/port)", PortNamePattern(), 16);

    public static readonly LeafType BridgeName = new TextType("<bridge-name>",
        "must be a bridge name: a lowercase letter, then up to 11 lowercase letters, digits or hyphens", BridgeNamePattern(), 12);

    public static readonly LeafType NetdevName = new TextType("<netdev>",
        "must be a Linux interface name: a letter, then up to 14 letters, digits, '_', '.' or '-'", NetdevNamePattern(), 15);

    public static readonly LeafType MacAddress = new TextType("<mac-address>",
        "must be a unicast MAC address in lowercase, such as 02:00:00:00:00:01", MacPattern(), 17);

    public static readonly LeafType Description = new TextType("<text>",
        "must be text without control characters, at most 64 characters", PrintablePattern(), 64);

    public static readonly LeafType Boolean = new BooleanType();
    public static readonly LeafType IpPrefix = new IpPrefixType();
    public static readonly LeafType IpAddress = new IpAddressType();
    public static readonly LeafType HostOrAddress = new HostOrAddressType();
    public static readonly LeafType Port = new IntegerType(1, 65535);
}
