using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>Signals to other processes.</summary>
public static class Signals
{
    public const int SIGKILL = 9, SIGTERM = 15;

    /// <summary>Sends SIGTERM: asks the process to stop cleanly; false when it was already gone.</summary>
    public static bool Terminate(int pid) => LibC.kill(pid, SIGTERM) == 0;

    /// <summary>Sends SIGKILL; false when the process was already gone (ESRCH).</summary>
    public static bool Kill(int pid)
    {
        if (LibC.kill(pid, SIGKILL) == 0) return true;
        int errno = Libc.Errno;
        if (errno == Libc.ESRCH) return false;
        throw new LinuxException("kill", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), errno);
    }
}
