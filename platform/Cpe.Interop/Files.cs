namespace Cpe.Interop;

/// <summary>What System.IO does not do: ownership (also of symbolic links themselves), hard links, FIFOs and syncing a folder.</summary>
public static class Files
{
    public static void Chown(string path, int uid, int gid) =>
        Libc.Check(Libc.chown(path, (uint)uid, (uint)gid), "chown", path);

    /// <summary>Sets the owner of <paramref name="path"/> itself, never of what a symbolic link points at.</summary>
    public static void Lchown(string path, int uid, int gid) =>
        Libc.Check(Libc.lchown(path, (uint)uid, (uint)gid), "lchown", path);

    /// <summary>
    /// Points stdin, stdout and stderr at /dev/null: a process that outlives its parent (a VNF's monitor) must neither
    /// hold the parent's pipes open nor fail writing to them once the parent is gone.
    /// </summary>
    public static void DetachStandardStreams()
    {
        const int O_RDWR = 2;
        int fd = Libc.open("/dev/null", O_RDWR);
        Libc.Check(fd, "open", "/dev/null");
        for (int std = 0; std <= 2; std++) Libc.Check(Libc.dup2(fd, std), "dup2", "/dev/null");
        if (fd > 2) Libc.close(fd);
    }

    public static void HardLink(string existing, string created) =>
        Libc.Check(Libc.link(existing, created), "link", created);

    /// <summary>
    /// Makes a folder's entries durable (fsync(2) of the folder itself): after a rename, the new name survives a power
    /// cut only once its folder is synced. System.IO cannot open a folder to sync it.
    /// </summary>
    public static void SyncFolder(string path) => Sync(path, O_DIRECTORY);

    /// <summary>
    /// Makes a file's metadata durable where it now is (fsync(2) of the file, opened read-only): after a rename on FAT
    /// the new directory entry holds the file's first cluster and size only once the file itself is written back, and
    /// syncing the folder does not do that (Linux vfat updates it through the file's inode). Without this a power cut
    /// soon after a rename leaves the new name with no data.
    /// </summary>
    public static void SyncFile(string path) => Sync(path, 0);

    const int O_RDONLY = 0, O_WRONLY = 1, O_DIRECT = 0x4000, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;

    /// <summary>
    /// Opens <paramref name="path"/> to read or write around the page cache (O_DIRECT): the disk's DMA moves the bytes,
    /// not a copy on the CPU, and a large transfer does not push what the box runs on out of memory. Each transfer must
    /// then start at, and be as long as, a multiple of the device's logical block size, into or from a buffer aligned
    /// the same way (else the call fails with EINVAL). Throws where the file system cannot.
    /// </summary>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle OpenDirect(string path, bool write)
    {
        int fd = (int)Libc.Check(() => Libc.open(path, (write ? O_WRONLY : O_RDONLY) | O_DIRECT | O_CLOEXEC), "open", path);
        return new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
    }

    static void Sync(string path, int flags)
    {
        int fd = (int)Libc.Check(() => Libc.open(path, O_RDONLY | flags | O_CLOEXEC), "open", path);
        try { Libc.Check(() => Libc.fsync(fd), "fsync", path); }
        finally { Libc.close(fd); }
    }

    public static void MakeFifo(string path, UnixFileMode mode) =>
        Libc.Check(Libc.mkfifo(path, (uint)mode), "mkfifo", path);
}
