using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;

namespace Cpe.Netlink;

/// <summary>
/// Persistent tap links. rtnetlink cannot create them: a tap is made through /dev/net/tun
/// (TUNSETIFF, then TUNSETPERSIST so it outlives our descriptor). Everything else about it
/// (up, MTU, master, delete) goes through <see cref="RouteNetlink"/> like any other link.
/// </summary>
public static partial class TapDevice
{
    const uint TUNSETIFF = 0x400454ca, TUNSETPERSIST = 0x400454cb;
    const short IFF_TAP = 0x0002, IFF_NO_PI = 0x1000;
    const int O_RDWR = 2, O_CLOEXEC = 0x80000;

    /// <summary>Creates a persistent tap named <paramref name="name"/> (in a namespace, when given).</summary>
    public static void Create(string name, string? namespacePath = null)
    {
        if (Encoding.ASCII.GetByteCount(name) is 0 or > 15) throw new ArgumentException("a link name has 1 to 15 characters", nameof(name));
        if (namespacePath is null) CreateHere(name);
        else NetworkNamespace.CreateIn(namespacePath, () => { CreateHere(name); return 0; });
    }

    static unsafe void CreateHere(string name)
    {
        int fd;
        fixed (byte* path = "/dev/net/tun\0"u8) fd = LibC.open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0) throw new NetlinkException(LibC.errno, "open /dev/net/tun for", name);
        try
        {
            var request = new IfReq { Flags = IFF_TAP | IFF_NO_PI };
            Encoding.ASCII.GetBytes(name, new Span<byte>(request.Name, 16));
            if (ioctl(fd, TUNSETIFF, &request) < 0) throw new NetlinkException(Marshal.GetLastPInvokeError(), "TUNSETIFF", name);
            if (ioctl(fd, TUNSETPERSIST, (void*)1) < 0) throw new NetlinkException(Marshal.GetLastPInvokeError(), "TUNSETPERSIST", name);
        }
        finally { LibC.close(fd); }
    }

    // Tmds.LibC's ioctl takes an int argument; the tun ioctls take a pointer.
    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int ioctl(int fd, nuint request, void* argument);

    /// <summary>struct ifreq: the name, then the union whose first member we use (ifr_flags), padded to 40 bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 40)]
    unsafe struct IfReq
    {
        public fixed byte Name[16];
        public short Flags;
    }
}
