using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Cpe.Image.Bundles;

/// <summary>
/// A firmware version: one to four dot-separated numbers, then optionally "-label" (a pre-release, which sorts
/// before the same numbers without a label: 3.0.0-rc1 &lt; 3.0.0). Anti-rollback and "newer" compare these.
/// </summary>
public sealed partial record FirmwareVersion(IReadOnlyList<long> Numbers, string? Label) : IComparable<FirmwareVersion>
{
    public static FirmwareVersion Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"'{text}' is not a firmware version (like 2.1.0 or 3.0.0-rc1)");

    public static bool TryParse(string? text, [NotNullWhen(true)] out FirmwareVersion? version)
    {
        version = null;
        if (text is null || Shape().Match(text) is not { Success: true } m) return false;
        var numbers = new List<long>();
        foreach (var part in m.Groups["n"].Value.Split('.'))
        {
            if (!long.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n)) return false;
            numbers.Add(n);
        }
        version = new FirmwareVersion(numbers, m.Groups["l"].Success ? m.Groups["l"].Value : null);
        return true;
    }

    public int CompareTo(FirmwareVersion? other)
    {
        if (other is null) return 1;
        for (int i = 0; i < Math.Max(Numbers.Count, other.Numbers.Count); i++)
        {
            int c = (i < Numbers.Count ? Numbers[i] : 0).CompareTo(i < other.Numbers.Count ? other.Numbers[i] : 0);
            if (c != 0) return c;
        }
        return (Label, other.Label) switch
        {
            (null, null) => 0,
            (null, _) => 1,
            (_, null) => -1,
            _ => string.CompareOrdinal(Label, other.Label),
        };
    }

    public bool Equals(FirmwareVersion? other) => other is not null && CompareTo(other) == 0;

    public override int GetHashCode() => HashCode.Combine(string.Join('.', Numbers.Reverse().SkipWhile(n => n == 0)), Label);

    public static bool operator <(FirmwareVersion a, FirmwareVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(FirmwareVersion a, FirmwareVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(FirmwareVersion a, FirmwareVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(FirmwareVersion a, FirmwareVersion b) => a.CompareTo(b) >= 0;

    public override string ToString() => string.Join('.', Numbers) + (Label is null ? "" : "-" + Label);

    // Numbers without leading zeros (so that one version has one spelling), at most 9 digits each.
    [GeneratedRegex(@"^(?<n>(0|[1-9][0-9]{0,8})(\.(0|[1-9][0-9]{0,8})){0,3})(-(?<l>[A-Za-z0-9][A-Za-z0-9.]{0,31}))?$")]
    private static partial Regex Shape();
}
