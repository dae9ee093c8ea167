namespace Cpe.Interop;

/// <summary>File ownership, which System.IO does not set.</summary>
public static class Files
{
    public static void Chown(string path, int uid, int gid) =>
        Libc.Check(Libc.chown(path, (uint)uid, (uint)gid), "chown", path);
}
