namespace Cpe.Interop;

/// <summary>
/// Account names by uid from /etc/passwd. Read as a file rather than through NSS:
/// the box has only local accounts, and this keeps the lookup free of native state.
/// </summary>
public static class Users
{
    public static string? NameOf(uint uid, string passwdPath = "/etc/passwd")
    {
        if (!File.Exists(passwdPath)) return uid == 0 ? "root" : null;
        foreach (var line in File.ReadLines(passwdPath))
        {
            var f = line.Split(':');
            if (f.Length > 2 && uint.TryParse(f[2], out var u) && u == uid) return f[0];
        }
        return uid == 0 ? "root" : null;
    }
}
