namespace Cpe.Interop;

/// <summary>What System.IO does not do: ownership (also of symbolic links themselves), hard links and FIFOs.</summary>
public static class Files
{
    public static void Chown(string path, int uid, int gid) =>
        Libc.Check(Libc.chown(path, (uint)uid, (uint)gid), "chown", path);

    /// <summary>Sets the owner of <paramref name="path"/> itself, never of what a symbolic link points at.</summary>
    public static void Lchown(string path, int uid, int gid) =>
        Libc.Check(Libc.lchown(path, (uint)uid, (uint)gid), "lchown", path);

    public static void HardLink(string existing, string created) =>
        Libc.Check(Libc.link(existing, created), "link", created);

    public static void MakeFifo(string path, UnixFileMode mode) =>
        Libc.Check(Libc.mkfifo(path, (uint)mode), "mkfifo", path);
}
