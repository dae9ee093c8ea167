using System.Runtime.InteropServices;

namespace Cpe.Interop;

/// <summary>
/// The libc functions the platform needs, declared once. Every call goes through
/// <see cref="Check"/> so errno becomes a <see cref="LinuxException"/> in one place
/// and EINTR is retried there.
/// </summary>
internal static partial class Libc
{
    const string Lib = "libc";
    internal const int EINTR = 4;

    [LibraryImport(Lib, EntryPoint = "sethostname", SetLastError = true)]
    internal static unsafe partial int sethostname(byte* name, nuint len);

    [LibraryImport(Lib, EntryPoint = "gethostname", SetLastError = true)]
    internal static unsafe partial int gethostname(byte* name, nuint len);

    [LibraryImport(Lib, EntryPoint = "tcflush", SetLastError = true)]
    internal static partial int tcflush(int fd, int queue);

    [LibraryImport(Lib, EntryPoint = "tcgetattr", SetLastError = true)]
    internal static partial int tcgetattr(int fd, out Termios termios);

    [LibraryImport(Lib, EntryPoint = "tcsetattr", SetLastError = true)]
    internal static partial int tcsetattr(int fd, int optionalActions, in Termios termios);

    [LibraryImport(Lib, EntryPoint = "cfmakeraw")]
    internal static partial void cfmakeraw(ref Termios termios);

    [LibraryImport(Lib, EntryPoint = "cfsetispeed", SetLastError = true)]
    internal static partial int cfsetispeed(ref Termios termios, uint speed);

    [LibraryImport(Lib, EntryPoint = "cfsetospeed", SetLastError = true)]
    internal static partial int cfsetospeed(ref Termios termios, uint speed);

    [LibraryImport(Lib, EntryPoint = "isatty")]
    internal static partial int isatty(int fd);

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int ioctl(int fd, nuint request, out WinSize size);

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int ioctl_set(int fd, nuint request, in WinSize size);

    [LibraryImport(Lib, EntryPoint = "posix_openpt", SetLastError = true)]
    internal static partial int posix_openpt(int flags);

    [LibraryImport(Lib, EntryPoint = "grantpt", SetLastError = true)]
    internal static partial int grantpt(int fd);

    [LibraryImport(Lib, EntryPoint = "unlockpt", SetLastError = true)]
    internal static partial int unlockpt(int fd);

    [LibraryImport(Lib, EntryPoint = "ptsname_r", SetLastError = true)]
    internal static unsafe partial int ptsname_r(int fd, byte* buf, nuint len);

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint read(int fd, byte* buf, nuint count);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    internal static unsafe partial nint write(int fd, byte* buf, nuint count);

    [LibraryImport(Lib, EntryPoint = "dup2", SetLastError = true)]
    internal static partial int dup2(int oldFd, int newFd);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    internal static partial int close(int fd);

    [LibraryImport(Lib, EntryPoint = "fsync", SetLastError = true)]
    internal static partial int fsync(int fd);

    [LibraryImport(Lib, EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int lchown(string path, uint uid, uint gid);

    [LibraryImport(Lib, EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int link(string existing, string created);

    [LibraryImport(Lib, EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int mkfifo(string path, uint mode);

    [LibraryImport(Lib, EntryPoint = "strerror")]
    private static partial nint strerror(int errnum);

    internal static string StrError(int errno) => Marshal.PtrToStringUTF8(strerror(errno)) ?? $"errno {errno}";

    /// <summary>Turns a negative return into an exception carrying errno; retries on EINTR.</summary>
    [LibraryImport(Lib, EntryPoint = "kill", SetLastError = true)]
    internal static partial int kill(int pid, int signal);

    [LibraryImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int ioctl_int(int fd, nuint request, ref int value);

    [LibraryImport(Lib, EntryPoint = "sync")]
    internal static partial void sync();

    [LibraryImport(Lib, EntryPoint = "reboot", SetLastError = true)]
    internal static partial int reboot(int command);

    [LibraryImport(Lib, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int chown(string path, uint owner, uint group);

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd { public int Fd; public short Events; public short Revents; }

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int poll(PollFd* fds, nuint count, int timeout);

    /// <summary>
    /// Whether <paramref name="fd"/> has something to read (or has hung up) within <paramref name="timeoutMs"/>
    /// (poll(2) on one descriptor; an interrupted wait counts as nothing yet).
    /// </summary>
    internal static unsafe bool WaitReadable(int fd, int timeoutMs, string target)
    {
        const short POLLIN = 1;
        var one = new PollFd { Fd = fd, Events = POLLIN };
        int n = poll(&one, 1, timeoutMs);   // safe: one struct on this frame, count 1
        if (n < 0 && Marshal.GetLastPInvokeError() is int errno && errno != EINTR) throw new LinuxException("poll", target, errno);
        return n > 0;
    }

    internal static long Check(Func<long> call, string name, string? target = null)
    {
        while (true)
        {
            long rc = call();
            if (rc >= 0) return rc;
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR) throw new LinuxException(name, target, errno);
        }
    }

    internal static void Check(int rc, string name, string? target = null)
    {
        if (rc < 0) throw new LinuxException(name, target, Marshal.GetLastPInvokeError());
    }
}
