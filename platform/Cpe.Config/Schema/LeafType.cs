using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cpe.Config.Schema;

/// <summary>
/// The type of a leaf value: how the CLI's text becomes JSON, and the rule a value must
/// follow, stated the way an error message shows it.
/// </summary>
public abstract class LeafType
{
    /// <summary>Shown in help, e.g. "&lt;host-name&gt;".</summary>
    public abstract string Placeholder { get; }

    /// <summary>The rule as a technician reads it in an error.</summary>
    public abstract string Rule { get; }

    /// <summary>Values the CLI can offer on "?" and Tab, with their descriptions.</summary>
    public virtual IReadOnlyList<(string Value, string Description)> Choices => [];

    /// <summary>CLI text to JSON, or null when the text breaks the rule.</summary>
    public abstract JsonNode? Parse(string text);

    /// <summary>True when a JSON value (from a loaded document) follows the rule.</summary>
    public virtual bool IsValid(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue(out string? s) && Parse(s) is not null;

    /// <summary>JSON to the CLI's text form.</summary>
    public virtual string Format(JsonNode value) =>
        value is JsonValue v && v.TryGetValue(out string? s) ? s : value.ToJsonString();
}

public sealed class TextType(string placeholder, string rule, Regex pattern, int maxLength = 255) : LeafType
{
    public override string Placeholder => placeholder;
    public override string Rule => rule;
    public override JsonNode? Parse(string text) =>
        text.Length <= maxLength && SafeText.Problem(text) is null && pattern.IsMatch(text) ? JsonValue.Create(text) : null;
}

public sealed class IntegerType(long min, long max) : LeafType
{
    public override string Placeholder => $"<{min}..{max}>";
    public override string Rule => $"must be a whole number from {min} to {max}";
    public override JsonNode? Parse(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? JsonValue.Create(n) : null;
    public override bool IsValid(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue(out long n) && n >= min && n <= max;
    public override string Format(JsonNode value) => value.ToJsonString();
}

public sealed class EnumType(params (string Value, string Description)[] values) : LeafType
{
    public override string Placeholder => "<" + string.Join("|", values.Select(v => v.Value)) + ">";
    public override string Rule => "must be one of: " + string.Join(", ", values.Select(v => v.Value));
    public override IReadOnlyList<(string Value, string Description)> Choices => values;
    public override JsonNode? Parse(string text) =>
        values.Any(v => v.Value == text) ? JsonValue.Create(text) : null;
}

public sealed class BooleanType : LeafType
{
    public override string Placeholder => "<true|false>";
    public override string Rule => "must be true or false";
    public override IReadOnlyList<(string Value, string Description)> Choices => [("true", "Enable"), ("false", "Disable")];
    public override JsonNode? Parse(string text) => text switch
    {
        "true" => JsonValue.Create(true),
        "false" => JsonValue.Create(false),
        _ => null,
    };
    public override bool IsValid(JsonNode? value) => value is JsonValue v && v.TryGetValue(out bool _);
    public override string Format(JsonNode value) => value.ToJsonString();
}

/// <summary>An IPv4 or IPv6 address in its canonical text form.</summary>
public sealed class IpAddressType : LeafType
{
    public override string Placeholder => "<ip-address>";
    public override string Rule => "must be an IPv4 or IPv6 address";
    public override JsonNode? Parse(string text) =>
        IPAddress.TryParse(text, out var a) && a.ToString() == text.ToLowerInvariant() ? JsonValue.Create(text) : null;
}

/// <summary>An address or a DNS name, for servers such as NTP and syslog hosts.</summary>
public sealed class HostOrAddressType : LeafType
{
    public override string Placeholder => "<address-or-name>";
    public override string Rule => "must be an IP address or a DNS name (letters, digits, hyphens and dots)";
    public override JsonNode? Parse(string text) =>
        new IpAddressType().Parse(text) ?? Types.DomainName.Parse(text);
}

/// <summary>An interface address with its prefix length, e.g. 192.0.2.1/24 or 2001:db8::1/64.</summary>
public sealed class IpPrefixType : LeafType
{
    public override string Placeholder => "<address/prefix-length>";
    public override string Rule => "must be an IPv4 or IPv6 address with a prefix length, such as 192.0.2.1/24";
    public override JsonNode? Parse(string text)
    {
        int slash = text.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(text[..slash], out var a) || a.ToString() != text[..slash].ToLowerInvariant()) return null;
        int max = a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        return int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int length) && length >= 1 && length <= max
            && text[(slash + 1)..] == length.ToString(CultureInfo.InvariantCulture)
            ? JsonValue.Create(text) : null;
    }
}
