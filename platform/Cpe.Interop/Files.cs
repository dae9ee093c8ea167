using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>What System.IO does not do: ownership (also of symbolic links themselves), hard links, FIFOs and syncing a folder.</summary>
public static class Files
{
    public static unsafe void Chown(string path, int uid, int gid)
    {
        byte[] name = Libc.Utf8z(path);
        // SAFETY: the NUL-terminated name is pinned for the call; the kernel only reads it.
        fixed (byte* p = name) Libc.Check(LibC.chown(p, (uint)uid, (uint)gid), "chown", path);
    }

    /// <summary>Sets the owner of <paramref name="path"/> itself, never of what a symbolic link points at.</summary>
    public static unsafe void Lchown(string path, int uid, int gid)
    {
        byte[] name = Libc.Utf8z(path);
        // SAFETY: the NUL-terminated name is pinned for the call; the kernel only reads it.
        fixed (byte* p = name) Libc.Check(LibC.lchown(p, (uint)uid, (uint)gid), "lchown", path);
    }

    /// <summary>
    /// Points stdin, stdout and stderr at /dev/null: a process that outlives its parent (a VNF's monitor) must neither
    /// hold the parent's pipes open nor fail writing to them once the parent is gone.
    /// </summary>
    public static void DetachStandardStreams()
    {
        using var devNull = Open("/dev/null", Libc.O_RDWR);
        using var fd = new Descriptor(devNull);
        for (int std = 0; std <= 2; std++) Libc.Check(LibC.dup2(fd.Fd, std), "dup2", "/dev/null");
    }

    public static unsafe void HardLink(string existing, string created)
    {
        byte[] from = Libc.Utf8z(existing), to = Libc.Utf8z(created);
        // SAFETY: both NUL-terminated names are pinned for the call; the kernel only reads them.
        fixed (byte* e = from) fixed (byte* c = to) Libc.Check(LibC.link(e, c), "link", created);
    }

    /// <summary>
    /// Makes a folder's entries durable (fsync(2) of the folder itself): after a rename, the new name survives a power
    /// cut only once its folder is synced. System.IO cannot open a folder to sync it.
    /// </summary>
    public static void SyncFolder(string path) => Sync(path, Libc.O_DIRECTORY);

    /// <summary>
    /// Makes a file's metadata durable where it now is (fsync(2) of the file, opened read-only): after a rename on FAT
    /// the new directory entry holds the file's first cluster and size only once the file itself is written back, and
    /// syncing the folder does not do that (Linux vfat updates it through the file's inode). Without this a power cut
    /// soon after a rename leaves the new name with no data.
    /// </summary>
    public static void SyncFile(string path) => Sync(path, 0);

    /// <summary>
    /// Opens <paramref name="path"/> to read or write around the page cache (O_DIRECT): the disk's DMA moves the bytes,
    /// not a copy on the CPU, and a large transfer does not push what the box runs on out of memory. Each transfer must
    /// then start at, and be as long as, a multiple of the device's logical block size, into or from a buffer aligned
    /// the same way (else the call fails with EINVAL). Throws where the file system cannot.
    /// </summary>
    public static SafeFileHandle OpenDirect(string path, bool write) => Open(path, (write ? Libc.O_WRONLY : Libc.O_RDONLY) | Libc.O_DIRECT);

    static void Sync(string path, int flags)
    {
        using var handle = Open(path, Libc.O_RDONLY | flags);
        using var fd = new Descriptor(handle);
        int n = fd.Fd;
        Libc.Retry(() => LibC.fsync(n), "fsync", path);
    }

    /// <summary>open(2) with O_CLOEXEC, EINTR retried, as a SafeHandle (File.OpenHandle cannot pass O_DIRECT or O_DIRECTORY).</summary>
    internal static unsafe SafeFileHandle Open(string path, int flags)
    {
        byte[] name = Libc.Utf8z(path);
        // SAFETY: the NUL-terminated name is pinned for the call; the kernel only reads it.
        int fd = (int)Libc.Retry(() => { fixed (byte* p = name) return LibC.open(p, flags | Libc.O_CLOEXEC, 0); }, "open", path);
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    public static unsafe void MakeFifo(string path, UnixFileMode mode)
    {
        byte[] name = Libc.Utf8z(path);
        // SAFETY: the NUL-terminated name is pinned for the call; the kernel only reads it.
        fixed (byte* p = name) Libc.Check(LibC.mkfifo(p, (ushort)mode), "mkfifo", path);
    }
}
