namespace Cpe.Interop;

/// <summary>
/// A failed system call: which call, on what object, and the errno the kernel returned. The one errno exception of
/// the product; netlink's refusals (<c>NetlinkException</c>) are a kind of it. An <see cref="IOException"/>, as .NET's
/// own failed system calls are, so code that handles failed I/O handles these too.
/// </summary>
public class LinuxException : IOException
{
    public LinuxException(string call, string? target, int errno) : this(call, target, errno, Describe(call, target, errno)) { }

    protected LinuxException(string call, string? target, int errno, string message) : base(message)
    {
        Call = call;
        Target = target;
        Errno = errno;
    }

    public string Call { get; }
    public string? Target { get; }
    public int Errno { get; }

    /// <summary>The C library's words for <paramref name="errno"/> ("No such device").</summary>
    public static string ErrorText(int errno) => Libc.StrError(errno);

    static string Describe(string call, string? target, int errno) =>
        target is null
            ? $"{call} failed: {ErrorText(errno)} (errno {errno})"
            : $"{call} {target} failed: {ErrorText(errno)} (errno {errno})";
}
