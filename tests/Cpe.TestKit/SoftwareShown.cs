using System.Globalization;
using System.Text.RegularExpressions;

namespace Cpe.TestKit;

/// <summary>What a box's "show system software" says, read back by the image tests and the bench (docs/guides/cli.md).</summary>
public static partial class SoftwareShown
{
    public sealed record Software(string Text, string Running, char Slot, string? Install, int Done, int Chunks, string? OtherTrying);

    /// <summary>The running version and slot, the install shown (its version and chunks), and the other slot's version on trial.</summary>
    public static Software Parse(string text)
    {
        var running = Running().Match(text);
        if (!running.Success) throw new InvalidOperationException($"no running slot in:\n{text}");
        var install = Install().Match(text);
        var trying = Trying().Match(text);
        return new Software(text, running.Groups[1].Value, running.Groups[2].Value[0],
            install.Success ? install.Groups[1].Value : null, install.Success ? int.Parse(install.Groups[2].Value, CultureInfo.InvariantCulture) : 0,
            install.Success ? int.Parse(install.Groups[3].Value, CultureInfo.InvariantCulture) : 0,
            trying.Success ? $"{trying.Groups[2].Value} in slot {trying.Groups[1].Value}" : null);
    }

    /// <summary>How long the install shown from <paramref name="source"/> took to write and check the slot; null before it did.</summary>
    public static double? WrittenSeconds(string text, string version, string source)
    {
        var m = Regex.Match(text, $@"{Regex.Escape(version)} into slot [ab]\s+From: +{Regex.Escape(source)}\s+Chunks: +\d+ of \d+[^\n]*\n\s*Written: +([0-9.]+) s");
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"Running:  (\S+) from slot ([ab])")]
    private static partial Regex Running();

    [GeneratedRegex(@"Install:  (\S+) \S+ into slot [ab]\s+From: +\S+\s+Chunks: +(\d+) of (\d+)")]
    private static partial Regex Install();

    [GeneratedRegex(@"^([ab])\s+trying\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex Trying();
}
