namespace Cpe.ImageBuilder;

/// <summary>The same inputs give the same image: every time stamp is the epoch, every identifier derives from the version.</summary>
static class Reproducible
{
    /// <summary>Sets the modification time of everything under <paramref name="folder"/> (symbolic links included) to <paramref name="epoch"/>.</summary>
    public static void Stamp(string folder, long epoch)
    {
        var time = DateTimeOffset.FromUnixTimeSeconds(epoch).UtcDateTime;
        var entries = Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Append(folder).OrderByDescending(e => e.Length);
        foreach (var e in entries)
        {
            if (new FileInfo(e).LinkTarget is not null) Tool.Run("touch", ["-h", "-d", $"@{epoch}", e]);
            else if (Directory.Exists(e)) Directory.SetLastWriteTimeUtc(e, time);
            else File.SetLastWriteTimeUtc(e, time);
        }
    }

    /// <summary>A GUID that is the same for the same version and role, and differs between them (RFC 4122 variant, version 8 bits).</summary>
    public static Guid DerivedGuid(string version, string role)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"cpe-firmware {version} {role}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0f) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
