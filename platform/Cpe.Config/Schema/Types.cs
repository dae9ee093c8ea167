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

    public static readonly LeafType IpAddress = new IpAddressType();
    public static readonly LeafType HostOrAddress = new HostOrAddressType();
    public static readonly LeafType Port = new IntegerType(1, 65535);
}
