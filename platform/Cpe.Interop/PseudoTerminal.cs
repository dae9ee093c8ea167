using Microsoft.Win32.SafeHandles;

namespace Cpe.Interop;

/// <summary>
/// A pseudo-terminal pair: the master is the "far end" (a technician's terminal emulator),
/// <see cref="SlavePath"/> is the line a CLI or login runs on, as it would on /dev/ttyS0.
/// </summary>
public sealed class PseudoTerminal : IDisposable
{
    readonly SafeFileHandle _master;
    public string SlavePath { get; }

    PseudoTerminal(SafeFileHandle master, string slavePath) { _master = master; SlavePath = slavePath; }

    public static unsafe PseudoTerminal Open()
    {
        int fd = (int)Libc.Retry(() => Libc.posix_openpt(Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC), "posix_openpt");
        var master = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            Libc.Check(Libc.grantpt(fd), "grantpt");
            Libc.Check(Libc.unlockpt(fd), "unlockpt");
            // ptsname_r returns an errno value directly, not -1; 128 bytes fits any /dev/pts/N.
            byte* buf = stackalloc byte[128];
            // SAFETY: the C library writes at most the 128 bytes it is told of into the stack buffer, NUL-terminated.
            int rc = Libc.ptsname_r(fd, buf, 128);
            if (rc != 0) throw new LinuxException("ptsname_r", null, rc);
            return new PseudoTerminal(master, new string((sbyte*)buf));
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    /// <summary>The master side as a terminal, to read what the line prints and type into it; closed with this pair.</summary>
    public Terminal MasterTerminal()
    {
        using var fd = new Descriptor(_master);
        return Terminal.FromDescriptor(fd.Fd);
    }

    public void Dispose() => _master.Dispose();
}
