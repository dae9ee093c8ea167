using System.Runtime.InteropServices;

namespace Cpe.Interop;

/// <summary>mount(2), umount2(2) and pivot_root(2), under the kernel's flag names.</summary>
public static partial class Mounts
{
    public const ulong MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32, MS_NOATIME = 1024,
        MS_BIND = 4096, MS_REC = 16384, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19, MS_STRICTATIME = 1 << 24, MS_RELATIME = 1 << 21;
    public const int MNT_DETACH = 2;

    public static void Mount(string? source, string target, string? type, ulong flags, string? data = null) =>
        Libc.Check(mount(source, target, type, flags, data), "mount", $"{type ?? "bind"} {source} on {target}");

    public static void Unmount(string target, int flags) => Libc.Check(umount2(target, flags), "umount2", target);

    /// <summary>pivot_root(new_root, put_old); glibc has no wrapper, so the system call by number (x86-64).</summary>
    public static void PivotRoot(string newRoot, string putOld) =>
        Libc.Check((int)syscall_pivot_root(SYS_pivot_root, newRoot, putOld), "pivot_root", newRoot);

    const long SYS_pivot_root = 155;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mount(string? source, string target, string? type, ulong flags, string? data);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long syscall_pivot_root(long number, string newRoot, string putOld);
}
