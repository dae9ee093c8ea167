using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>
/// Hints that let a long sequential copy keep the disk and the CPU busy at once: the kernel reads a file ahead of the
/// reader (posix_fadvise WILLNEED), and starts writing a range out without the writer waiting for it
/// (sync_file_range WRITE). Neither makes anything durable: fsync still does that.
/// </summary>
public static class Writeback
{
    const int POSIX_FADV_SEQUENTIAL = 2, POSIX_FADV_WILLNEED = 3;
    const uint SYNC_FILE_RANGE_WRITE = 2;

    /// <summary>Asks the kernel to read <paramref name="count"/> bytes from <paramref name="offset"/> into the page cache now, in the background.</summary>
    public static void ReadAhead(SafeFileHandle file, long offset, long count)
    {
        Advise(file, offset, count, POSIX_FADV_SEQUENTIAL);
        Advise(file, offset, count, POSIX_FADV_WILLNEED);
    }

    // posix_fadvise returns the error number instead of setting errno.
    static void Advise(SafeFileHandle file, long offset, long count, int advice)
    {
        using var fd = new Descriptor(file);
        int error = LibC.posix_fadvise(fd.Fd, offset, count, advice);
        if (error != 0) throw new LinuxException("posix_fadvise", null, error);
    }

    /// <summary>Starts writing the dirty pages of <paramref name="count"/> bytes from <paramref name="offset"/> to the disk, without waiting.</summary>
    public static void Start(SafeFileHandle file, long offset, long count)
    {
        using var fd = new Descriptor(file);
        int n = fd.Fd;
        Libc.Retry(() => LibC.sync_file_range(n, offset, count, SYNC_FILE_RANGE_WRITE), "sync_file_range");
    }
}
