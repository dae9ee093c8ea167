using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>mount(2), umount2(2) and pivot_root(2), under the kernel's flag names.</summary>
public static class Mounts
{
    public const ulong MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32, MS_NOATIME = 1024,
        MS_BIND = 4096, MS_REC = 16384, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19, MS_STRICTATIME = 1 << 24, MS_RELATIME = 1 << 21;
    public const int MNT_DETACH = 2;

    public static unsafe void Mount(string? source, string target, string? type, ulong flags, string? data = null)
    {
        byte[]? s = source is null ? null : Libc.Utf8z(source), y = type is null ? null : Libc.Utf8z(type), d = data is null ? null : Libc.Utf8z(data);
        byte[] t = Libc.Utf8z(target);
        // SAFETY: every string is pinned (a null array pins as a null pointer, which mount(2) takes for an absent
        // argument) and NUL-terminated; the kernel only reads them during the call.
        fixed (byte* ps = s) fixed (byte* pt = t) fixed (byte* py = y) fixed (byte* pd = d)
            Libc.Check(LibC.mount(ps, pt, py, (ulong_t)flags, pd), "mount", $"{type ?? "bind"} {source} on {target}");
    }

    public static unsafe void Unmount(string target, int flags)
    {
        byte[] t = Libc.Utf8z(target);
        // SAFETY: the NUL-terminated path is pinned for the call; the kernel only reads it.
        fixed (byte* p = t) Libc.Check(LibC.umount2(p, flags), "umount2", target);
    }

    /// <summary>pivot_root(new_root, put_old); glibc has no wrapper, so the system call by number (x86-64).</summary>
    public static unsafe void PivotRoot(string newRoot, string putOld)
    {
        byte[] n = Libc.Utf8z(newRoot), o = Libc.Utf8z(putOld);
        // SAFETY: both NUL-terminated paths are pinned for the call; the kernel only reads them.
        fixed (byte* pn = n) fixed (byte* po = o)
            Libc.Check((ssize_t)LibC.syscall(SYS_pivot_root, pn, po), "pivot_root", newRoot);
    }

    const int SYS_pivot_root = 155;
}
