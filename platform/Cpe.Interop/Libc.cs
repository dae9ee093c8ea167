using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>
/// The one way errno becomes an exception (<see cref="Check(long, string, string?)"/>, <see cref="Retry"/>: a
/// <see cref="LinuxException"/> naming the call and its object, EINTR retried), and the few libc functions Tmds.LibC
/// does not declare, declared here with <c>LibraryImport</c>. Everything else reaches libc through Tmds.LibC's
/// <see cref="LibC"/>.
/// </summary>
internal static partial class Libc
{
    const string Lib = "libc";
    internal const int EINTR = 4, EAGAIN = 11, ESRCH = 3, ENOTTY = 25, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2,
        O_NOCTTY = 0x100, O_NONBLOCK = 0x800, O_DIRECT = 0x4000, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;

    // What Tmds.LibC 0.5 lacks.
    [LibraryImport(Lib, EntryPoint = "cfmakeraw")]
    internal static unsafe partial void cfmakeraw(termios* termios);

    [LibraryImport(Lib, EntryPoint = "posix_openpt", SetLastError = true)]
    internal static partial int posix_openpt(int flags);

    [LibraryImport(Lib, EntryPoint = "grantpt", SetLastError = true)]
    internal static partial int grantpt(int fd);

    [LibraryImport(Lib, EntryPoint = "unlockpt", SetLastError = true)]
    internal static partial int unlockpt(int fd);

    [LibraryImport(Lib, EntryPoint = "ptsname_r")]
    internal static unsafe partial int ptsname_r(int fd, byte* buf, nuint len);

    [LibraryImport(Lib, EntryPoint = "reboot", SetLastError = true)]
    internal static partial int reboot(int command);

    [LibraryImport(Lib, EntryPoint = "prctl", SetLastError = true)]
    internal static partial int prctl(int option, nuint a2, nuint a3, nuint a4, nuint a5);

    [LibraryImport(Lib, EntryPoint = "capset", SetLastError = true)]
    internal static unsafe partial int capset(void* header, void* data);

    [LibraryImport(Lib, EntryPoint = "if_nametoindex", SetLastError = true)]
    internal static unsafe partial uint if_nametoindex(byte* name);

    // Tmds.LibC declares poll without SetLastError, so its errno is never captured: ours is.
    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    internal static unsafe partial int poll(pollfd* fds, nuint count, int timeout);

    [LibraryImport(Lib, EntryPoint = "strerror")]
    private static partial nint strerror(int errnum);

    internal static string StrError(int errno) => Marshal.PtrToStringUTF8(strerror(errno)) ?? $"errno {errno}";

    /// <summary>
    /// The errno of the calling thread's last native call declared with SetLastError (Tmds.LibC's <c>errno</c> reads
    /// the same captured value): every call whose errno is read here must be declared so, which is why poll is ours.
    /// </summary>
    internal static int Errno => LibC.errno;

    /// <summary>
    /// The errno of a call that just failed when its caller handles it — EINTR (make the call again) or
    /// <paramref name="tolerated"/> — and a <see cref="LinuxException"/> naming the call for any other: the one place
    /// a failed call's errno is judged.
    /// </summary>
    internal static int HandledErrno(string call, string? target, int tolerated = EINTR)
    {
        int errno = Errno;
        return errno == EINTR || errno == tolerated ? errno : throw new LinuxException(call, target, errno);
    }

    /// <summary>A negative return becomes a <see cref="LinuxException"/> with errno; for calls that are not interrupted by signals.</summary>
    internal static long Check(long rc, string call, string? target = null) =>
        rc >= 0 ? rc : throw new LinuxException(call, target, Errno);

    /// <summary>Like <see cref="Check(long, string, string?)"/>, calling again when a signal interrupted the call (EINTR).</summary>
    internal static long Retry(Func<long> call, string name, string? target = null)
    {
        while (true)
        {
            long rc = call();
            if (rc >= 0) return rc;
            HandledErrno(name, target);
        }
    }

    /// <summary>
    /// <paramref name="text"/> as a NUL-terminated UTF-8 string for a call that takes a path or a name; a string that
    /// holds a NUL itself would be cut short by the kernel, so it is refused.
    /// </summary>
    internal static byte[] Utf8z(string text) =>
        text.Contains('\0') ? throw new ArgumentException($"a name or path holds a NUL character: {text.Replace('\0', '?')}")
            : Encoding.UTF8.GetBytes(text + "\0");

    /// <summary>
    /// Whether <paramref name="fd"/> has something to read (or has hung up) within <paramref name="timeoutMs"/>
    /// (poll(2) on one descriptor; an interrupted wait counts as nothing yet).
    /// </summary>
    internal static bool WaitReadable(int fd, int timeoutMs, string target) => Wait(fd, LibC.POLLIN, timeoutMs, target);

    internal static bool Wait(int fd, short events, int timeoutMs, string target) =>
        Poll([new pollfd { fd = fd, events = events }], timeoutMs, target) > 0;

    /// <summary>poll(2) on <paramref name="fds"/>: how many are ready; 0 on a timeout or when a signal interrupted the wait.</summary>
    internal static unsafe int Poll(Span<pollfd> fds, int timeoutMs, string target)
    {
        // SAFETY: the entries are pinned for the call and their count passed; the kernel writes only each one's revents.
        fixed (pollfd* p = fds)
        {
            int n = poll(p, (nuint)fds.Length, timeoutMs);
            if (n >= 0) return n;
            HandledErrno("poll", target);
            return 0;
        }
    }
}
