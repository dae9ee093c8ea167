namespace Cpe.Interop;

/// <summary>A failed system call: which call, on what object, and the errno the kernel returned.</summary>
public sealed class LinuxException(string call, string? target, int errno)
    : Exception(Describe(call, target, errno))
{
    public string Call { get; } = call;
    public string? Target { get; } = target;
    public int Errno { get; } = errno;

    static string Describe(string call, string? target, int errno) =>
        target is null
            ? $"{call} failed: {Libc.StrError(errno)} (errno {errno})"
            : $"{call} {target} failed: {Libc.StrError(errno)} (errno {errno})";
}
