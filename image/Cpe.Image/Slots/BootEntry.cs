using System.Globalization;
using System.Text.RegularExpressions;
using Cpe.Image.Verity;

namespace Cpe.Image.Slots;

/// <summary>
/// A slot's boot entry on the ESP (Boot Loader Specification type 1, docs/reference/firmware-slots.md): the file
/// /loader/entries/cpe-SLOT[+LEFT[-DONE]].conf. systemd-boot counts tries by renaming the file before it boots it
/// (an atomic rename, where a boot loader environment write is not power-cut safe), sorts an entry with no tries
/// left last, and otherwise boots the entry with the highest "version" line first: that line is a priority, not the
/// firmware version, so that whichever slot was chosen last is preferred.
/// </summary>
public sealed partial record BootEntry(string Slot, int? TriesLeft, int? TriesDone)
{
    public const string Folder = "loader/entries";

    /// <summary>Marked good: no counter (what systemd-bless-boot leaves).</summary>
    public bool Good => TriesLeft is null;

    /// <summary>Out of tries: the loader skips it; the slot failed.</summary>
    public bool Bad => TriesLeft == 0;

    public string FileName => $"cpe-{Slot}{(TriesLeft is int left ? $"+{left}" + (TriesDone is int done and > 0 ? $"-{done}" : "") : "")}.conf";

    public static BootEntry? Parse(string fileName)
    {
        var m = Name().Match(fileName);
        if (!m.Success) return null;
        int? Number(Group g) => g.Success ? int.Parse(g.Value, CultureInfo.InvariantCulture) : null;
        return new BootEntry(m.Groups["slot"].Value, Number(m.Groups["left"]), Number(m.Groups["done"]));
    }

    /// <summary>
    /// The entry's content: the slot's kernel and first stage on the ESP, and the command line that names the slot and
    /// carries its verity root (from the signed manifest), which the first stage needs to mount the slot at all.
    /// </summary>
    public static string Text(string slot, string firmwareVersion, long priority, VerityRoot verity) => $"""
        title CPE firmware {firmwareVersion} (slot {slot})
        sort-key cpe
        version {priority}
        linux /cpe/{slot}/vmlinuz
        initrd /cpe/{slot}/initrd.img
        options console=ttyS0,115200 quiet panic=5 cpe.slot={slot} cpe.version={firmwareVersion} cpe.verity={verity.CommandLineValue}

        """;

    /// <summary>The priority ("version" line), firmware version and verity root an entry's text gives (null where damaged).</summary>
    public static (long Priority, string? FirmwareVersion, VerityRoot? Verity) ReadText(string text)
    {
        long priority = 0;
        string? version = null;
        VerityRoot? verity = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("version ", StringComparison.Ordinal)) long.TryParse(line[8..].Trim(), CultureInfo.InvariantCulture, out priority);
            if (!line.StartsWith("options ", StringComparison.Ordinal)) continue;
            version = CommandLine.Value(line, "cpe.version");
            verity = CommandLine.Value(line, "cpe.verity") is string v ? VerityRoot.TryParseCommandLine(v) : null;
        }
        return (priority, version, verity);
    }

    [GeneratedRegex(@"^cpe-(?<slot>[ab])(\+(?<left>[0-9]{1,2})(-(?<done>[0-9]{1,2}))?)?\.conf$")]
    private static partial Regex Name();
}
