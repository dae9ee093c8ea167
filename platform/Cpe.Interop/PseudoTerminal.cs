using Microsoft.Win32.SafeHandles;

namespace Cpe.Interop;

/// <summary>
/// A pseudo-terminal pair: the master is the "far end" (a technician's terminal emulator),
/// <see cref="SlavePath"/> is the line a CLI or login runs on, as it would on /dev/ttyS0.
/// </summary>
public sealed class PseudoTerminal : IDisposable
{
    public SafeFileHandle Master { get; }
    public string SlavePath { get; }

    PseudoTerminal(SafeFileHandle master, string slavePath) { Master = master; SlavePath = slavePath; }

    public static unsafe PseudoTerminal Open()
    {
        const int O_RDWR = 2, O_NOCTTY = 0x100, O_CLOEXEC = 0x80000;
        int fd = (int)Libc.Check(() => Libc.posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), "posix_openpt");
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        Libc.Check(Libc.grantpt(fd), "grantpt");
        Libc.Check(Libc.unlockpt(fd), "unlockpt");
        // ptsname_r returns an errno value directly, not -1; 128 bytes fits any /dev/pts/N.
        byte* buf = stackalloc byte[128];
        int rc = Libc.ptsname_r(fd, buf, 128);
        if (rc != 0) throw new LinuxException("ptsname_r", null, rc);
        string path = new((sbyte*)buf);
        return new PseudoTerminal(handle, path);
    }

    public Terminal MasterTerminal() => Terminal.FromDescriptor((int)Master.DangerousGetHandle());

    public void Dispose() => Master.Dispose();
}
