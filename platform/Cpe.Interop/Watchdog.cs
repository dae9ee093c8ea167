using System.Runtime.InteropServices;

namespace Cpe.Interop;

/// <summary>
/// A Linux watchdog device (Documentation/watchdog/watchdog-api.rst): opening it arms the timer, each write or
/// WDIOC_KEEPALIVE restarts it, and writing 'V' before closing disarms it ("magic close"; drivers built with
/// nowayout ignore it). Something that is not a watchdog (the simulated board's FIFO) takes the writes and refuses
/// the ioctls, which is reported as <see cref="SupportsTimeout"/> false.
/// </summary>
public sealed class Watchdog : IDisposable
{
    const int O_WRONLY = 1, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    const nuint WDIOC_SETTIMEOUT = 0xC0045706;
    const int ENOTTY = 25;
    int _fd;
    readonly string _device;

    Watchdog(int fd, string device) => (_fd, _device) = (fd, device);

    /// <summary>Opens (and so arms) the device. Non-blocking, so a FIFO nobody reads fails at once (ENXIO) instead of hanging.</summary>
    public static Watchdog Open(string device)
    {
        int fd = (int)Libc.Check(() => Libc.open(device, O_WRONLY | O_NONBLOCK | O_CLOEXEC), "open", device);
        return new Watchdog(fd, device);
    }

    public bool SupportsTimeout { get; private set; } = true;

    /// <summary>Asks for a timeout; returns what the driver set (drivers round), or null when the device has no such ioctl.</summary>
    public int? SetTimeout(int seconds)
    {
        int value = seconds;
        if (Libc.ioctl_int(_fd, WDIOC_SETTIMEOUT, ref value) == 0) return value;
        int errno = Marshal.GetLastPInvokeError();
        if (errno != ENOTTY) throw new LinuxException("WDIOC_SETTIMEOUT", _device, errno);
        SupportsTimeout = false;
        return null;
    }

    public void Keepalive() => Write((byte)'k');

    /// <summary>Disarms the timer and closes: for a clean stop, never for a crash.</summary>
    public void MagicClose()
    {
        if (_fd < 0) return;
        Write((byte)'V');
        Dispose();
    }

    void Write(byte b)
    {
        byte[] one = [b];
        Libc.Check(() => { unsafe { fixed (byte* p = one) return Libc.write(_fd, p, 1); } }, "write", _device);
    }

    public void Dispose()
    {
        if (_fd >= 0) Libc.close(_fd);
        _fd = -1;
    }
}
