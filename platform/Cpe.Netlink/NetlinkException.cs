using Cpe.Interop;

namespace Cpe.Netlink;

/// <summary>
/// The kernel refused a netlink request: errno, which request, on what object, and the kernel's own words when it gave
/// any. A <see cref="LinuxException"/>, so a caller that cares only about errno catches one type.
/// </summary>
public sealed class NetlinkException(int errno, string request, string target, string? kernelMessage = null)
    : LinuxException(request, target, errno, Describe(errno, request, target, kernelMessage))
{
    public string Request => Call;

    public const int EEXIST = 17, ENODEV = 19, ENOENT = 2, EINVAL = 22, EBUSY = 16, EOPNOTSUPP = 95, EPROTONOSUPPORT = 93;

    static string Describe(int errno, string request, string target, string? kernelMessage) =>
        $"{request} {target}: {ErrorText(errno)} (errno {errno})" + (kernelMessage is null ? "" : $": {kernelMessage}");
}

/// <summary>A netlink message that does not parse: truncated, a length past its end, a bad nesting.</summary>
public sealed class NetlinkFormatException(string message) : Exception(message);
