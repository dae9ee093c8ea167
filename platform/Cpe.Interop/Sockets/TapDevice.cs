using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>
/// Persistent tap links. rtnetlink cannot create them: a tap is made through /dev/net/tun
/// (TUNSETIFF, then TUNSETPERSIST so it outlives our descriptor). Everything else about it
/// (up, MTU, master, delete) goes through rtnetlink like any other link.
/// </summary>
public static class TapDevice
{
    const int TUNSETIFF = 0x400454ca, TUNSETPERSIST = 0x400454cb;
    const short IFF_TAP = 0x0002, IFF_NO_PI = 0x1000;

    /// <summary>Creates a persistent tap named <paramref name="name"/> (in a namespace, when given).</summary>
    public static void Create(string name, string? namespacePath = null)
    {
        if (Encoding.ASCII.GetByteCount(name) is 0 or > 15) throw new ArgumentException("a link name has 1 to 15 characters", nameof(name));
        if (namespacePath is null) CreateHere(name);
        else Namespaces.RunInNetwork(namespacePath, () => CreateHere(name));
    }

    static unsafe void CreateHere(string name)
    {
        using var tun = Files.Open("/dev/net/tun", Libc.O_RDWR);
        using var fd = new Descriptor(tun);
        var request = new IfReq { Flags = IFF_TAP | IFF_NO_PI };
        Encoding.ASCII.GetBytes(name, new Span<byte>(request.Name, 16));
        // SAFETY: TUNSETIFF reads and writes one struct ifreq (40 bytes), the local passed by address.
        Libc.Check(LibC.ioctl(fd.Fd, TUNSETIFF, &request), "TUNSETIFF", name);
        // SAFETY: TUNSETPERSIST takes its flag as the argument's value, not as a pointer the kernel follows.
        Libc.Check(LibC.ioctl(fd.Fd, TUNSETPERSIST, (void*)1), "TUNSETPERSIST", name);
    }

    /// <summary>struct ifreq: the name, then the union whose first member we use (ifr_flags), padded to 40 bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 40)]
    unsafe struct IfReq
    {
        public fixed byte Name[16];
        public short Flags;
    }
}
