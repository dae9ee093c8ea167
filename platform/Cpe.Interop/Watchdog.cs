using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>
/// A Linux watchdog device (Documentation/watchdog/watchdog-api.rst): opening it arms the timer, each write or
/// WDIOC_KEEPALIVE restarts it, and writing 'V' before closing disarms it ("magic close"; drivers built with
/// nowayout ignore it). Something that is not a watchdog (the simulated board's FIFO) takes the writes and refuses
/// the ioctls, which is reported as <see cref="SupportsTimeout"/> false.
/// </summary>
public sealed class Watchdog : IDisposable
{
    const uint WDIOC_SETTIMEOUT = 0xC0045706;
    readonly SafeFileHandle _handle;
    readonly string _device;

    Watchdog(SafeFileHandle handle, string device) => (_handle, _device) = (handle, device);

    /// <summary>Opens (and so arms) the device. Non-blocking, so a FIFO nobody reads fails at once (ENXIO) instead of hanging.</summary>
    public static Watchdog Open(string device) => new(Files.Open(device, Libc.O_WRONLY | Libc.O_NONBLOCK), device);

    public bool SupportsTimeout { get; private set; } = true;

    /// <summary>Asks for a timeout; returns what the driver set (drivers round), or null when the device has no such ioctl.</summary>
    public unsafe int? SetTimeout(int seconds)
    {
        int value = seconds;
        using var fd = new Descriptor(_handle);
        // SAFETY: WDIOC_SETTIMEOUT reads and writes one int, the local passed by address; the request number is
        // truncated to 32 bits by the kernel as it is by Tmds.LibC's int parameter.
        if (LibC.ioctl(fd.Fd, unchecked((int)WDIOC_SETTIMEOUT), &value) == 0) return value;
        int errno = Libc.Errno;
        if (errno != Libc.ENOTTY) throw new LinuxException("WDIOC_SETTIMEOUT", _device, errno);
        SupportsTimeout = false;
        return null;
    }

    public void Keepalive() => Write((byte)'k');

    /// <summary>Disarms the timer and closes: for a clean stop, never for a crash.</summary>
    public void MagicClose()
    {
        if (_handle.IsClosed) return;
        Write((byte)'V');
        Dispose();
    }

    unsafe void Write(byte b)
    {
        using var fd = new Descriptor(_handle);
        int n = fd.Fd;
        byte[] one = [b];
        // SAFETY: the one-byte array is pinned for the call, length 1; the kernel only reads it.
        Libc.Retry(() => { fixed (byte* p = one) return LibC.write(n, p, 1); }, "write", _device);
    }

    public void Dispose() => _handle.Dispose();
}
