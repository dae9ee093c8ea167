namespace Cpe.Board;

/// <summary>A small kernel file (sysfs, /proc) read whole and trimmed; null when it is missing or unreadable.</summary>
internal static class SysfsText
{
    public static string? Read(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
