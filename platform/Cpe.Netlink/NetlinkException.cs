namespace Cpe.Netlink;

/// <summary>The kernel refused a netlink request: errno, which request, on what object, and the kernel's own words when it gave any.</summary>
public sealed class NetlinkException(int errno, string request, string target, string? kernelMessage = null)
    : Exception(Describe(errno, request, target, kernelMessage))
{
    public int Errno { get; } = errno;
    public string Request { get; } = request;
    public string Target { get; } = target;

    public const int EEXIST = 17, ENODEV = 19, ENOENT = 2, EINVAL = 22, EBUSY = 16, EOPNOTSUPP = 95, EPROTONOSUPPORT = 93;

    static string Describe(int errno, string request, string target, string? kernelMessage) =>
        $"{request} {target}: {Strerror(errno)} (errno {errno})" + (kernelMessage is null ? "" : $": {kernelMessage}");

    static string Strerror(int errno) => errno switch
    {
        1 => "Operation not permitted", 2 => "No such file or directory", 16 => "Device or resource busy",
        17 => "File exists", 19 => "No such device", 22 => "Invalid argument", 34 => "Numerical result out of range",
        95 => "Operation not supported", 101 => "Network is unreachable", 105 => "No buffer space available",
        _ => "error",
    };
}

/// <summary>A netlink message that does not parse: truncated, a length past its end, a bad nesting.</summary>
public sealed class NetlinkFormatException(string message) : Exception(message);
