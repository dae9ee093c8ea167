namespace Cpe.Board.Profile;

/// <summary>
/// Which profile describes this box: the one named on the command line, or (with "auto") the first in the profile
/// folder whose DMI match fits what the firmware reports under /sys/class/dmi/id. A box no profile matches does not
/// start: guessing at ports and GPIO lines is worse than a clear error on the console.
/// </summary>
public static class BoardSelection
{
    public const string Auto = "auto";

    public static BoardProfile Select(string board, string profileFolder, string sysfsRoot = "/sys")
    {
        if (board != Auto) return BoardProfileLoader.Load(board);
        string Dmi(string field) => SysfsText.Read(Path.Combine(sysfsRoot, "class/dmi/id", field)) ?? "";
        var (product, boardName, vendor) = (Dmi("product_name"), Dmi("board_name"), Dmi("sys_vendor"));
        var files = Directory.Exists(profileFolder) ? Directory.GetFiles(profileFolder, "*.json").Order(StringComparer.Ordinal) : Enumerable.Empty<string>();
        foreach (var file in files)
        {
            var profile = BoardProfileLoader.Load(file);
            if (profile.Match is { } m && (m.ProductName ?? m.BoardName ?? m.SysVendor) is not null
                && Fits(m.ProductName, product) && Fits(m.BoardName, boardName) && Fits(m.SysVendor, vendor))
                return profile;
        }
        throw new InvalidDataException($"no board profile in {profileFolder} matches this board (DMI vendor '{vendor}', product '{product}', board '{boardName}'); name one with --board");
    }

    static bool Fits(string? wanted, string actual) => wanted is null || string.Equals(wanted, actual, StringComparison.OrdinalIgnoreCase);
}
