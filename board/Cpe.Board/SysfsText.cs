namespace Cpe.Board;

/// <summary>A small kernel file (sysfs, /proc) read whole and trimmed; null when it is missing or unreadable.</summary>
public static class SysfsText
{
    public static string? Read(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
