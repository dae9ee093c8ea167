using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Cpe.Interop;

/// <summary>
/// Hints that let a long sequential copy keep the disk and the CPU busy at once: the kernel reads a file ahead of the
/// reader (posix_fadvise WILLNEED), and starts writing a range out without the writer waiting for it
/// (sync_file_range WRITE). Neither makes anything durable: fsync still does that.
/// </summary>
public static partial class Writeback
{
    const int POSIX_FADV_SEQUENTIAL = 2, POSIX_FADV_WILLNEED = 3;
    const uint SYNC_FILE_RANGE_WRITE = 2;

    /// <summary>Asks the kernel to read <paramref name="count"/> bytes from <paramref name="offset"/> into the page cache now, in the background.</summary>
    public static void ReadAhead(SafeFileHandle file, long offset, long count)
    {
        Advise(file, offset, count, POSIX_FADV_SEQUENTIAL);
        Advise(file, offset, count, POSIX_FADV_WILLNEED);
    }

    // posix_fadvise returns the error number instead of setting errno: handed to the one errno helper as errno.
    static void Advise(SafeFileHandle file, long offset, long count, int advice) =>
        Libc.Check(() =>
        {
            int error = posix_fadvise(file, offset, count, advice);
            Marshal.SetLastPInvokeError(error);
            return error == 0 ? 0 : -1;
        }, "posix_fadvise");

    /// <summary>Starts writing the dirty pages of <paramref name="count"/> bytes from <paramref name="offset"/> to the disk, without waiting.</summary>
    public static void Start(SafeFileHandle file, long offset, long count) =>
        Libc.Check(() => sync_file_range(file, offset, count, SYNC_FILE_RANGE_WRITE), "sync_file_range");

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int posix_fadvise(SafeFileHandle fd, long offset, long len, int advice);

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int sync_file_range(SafeFileHandle fd, long offset, long nbytes, uint flags);
}
