using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>
/// A terminal line (a serial port, a console or a pseudo-terminal) by file descriptor:
/// raw mode for a line editor, line speed for a serial port, and the window size.
/// </summary>
public sealed class Terminal : IDisposable
{
    readonly SafeFileHandle _handle;
    readonly string _name;
    termios _saved;
    bool _modified;

    Terminal(SafeFileHandle handle, string name) { _handle = handle; _name = name; }

    /// <summary>Wraps an inherited descriptor (0 for standard input); it is not closed on dispose.</summary>
    public static Terminal FromDescriptor(int fd) => new(new SafeFileHandle(fd, ownsHandle: false), $"fd {fd}");

    /// <summary>Opens a terminal device such as /dev/ttyS0 or /dev/pts/3 for reading and writing.</summary>
    public static Terminal Open(string device) => new(Files.Open(device, Libc.O_RDWR | Libc.O_NOCTTY), device);

    public static bool IsTerminal(int fd) => LibC.isatty(fd) == 1;

    /// <summary>Drops what was typed and not read yet (tcflush TCIFLUSH).</summary>
    public void DiscardInput()
    {
        const int TCIFLUSH = 0;
        using var fd = new Descriptor(_handle);
        Libc.Check(LibC.tcflush(fd.Fd, TCIFLUSH), "tcflush", _name);
    }

    /// <summary>
    /// Raw input (no echo, no line discipline, no signals) but output still maps \n to \r\n; <paramref name="binary"/>:
    /// output as written too (the console link's frames, which must arrive byte for byte).
    /// </summary>
    public unsafe void EnterRawMode(uint? baud = null, bool binary = false)
    {
        using var fd = new Descriptor(_handle);
        termios t;
        // SAFETY: every termios pointer below is to a local struct on this frame, of the size the C library expects
        // (checked against the headers by InteropLayoutTests).
        Libc.Check(LibC.tcgetattr(fd.Fd, &t), "tcgetattr", _name);
        if (!_modified) { _saved = t; _modified = true; }
        Libc.cfmakeraw(&t);
        if (!binary) t.c_oflag |= TerminalFlags.OPOST | TerminalFlags.ONLCR;
        t.c_cc[TerminalFlags.VMIN] = 1;
        t.c_cc[TerminalFlags.VTIME] = 0;
        if (baud is uint b)
        {
            // A serial console: 8 data bits, no parity, 1 stop bit, no hardware flow control.
            uint speed = BaudConstant(b);
            t.c_cflag &= ~(TerminalFlags.CSIZE | TerminalFlags.PARENB | TerminalFlags.CSTOPB | TerminalFlags.CRTSCTS);
            t.c_cflag |= TerminalFlags.CS8 | TerminalFlags.CREAD | TerminalFlags.CLOCAL;
            Libc.Check(LibC.cfsetispeed(&t, speed), "cfsetispeed", _name);
            Libc.Check(LibC.cfsetospeed(&t, speed), "cfsetospeed", _name);
        }
        Libc.Check(LibC.tcsetattr(fd.Fd, TerminalFlags.TCSADRAIN, &t), "tcsetattr", _name);
    }

    /// <summary>Puts back the line settings found before <see cref="EnterRawMode"/>.</summary>
    public unsafe void Restore()
    {
        if (!_modified || _handle.IsClosed) return;
        using var fd = new Descriptor(_handle);
        termios saved = _saved;
        // SAFETY: a local copy of the saved settings, read by the call.
        LibC.tcsetattr(fd.Fd, TerminalFlags.TCSADRAIN, &saved);
        _modified = false;
    }

    /// <summary>Rows and columns from TIOCGWINSZ, or null when the line does not know (a serial port).</summary>
    public unsafe (int Rows, int Columns)? WindowSize()
    {
        using var fd = new Descriptor(_handle);
        winsize ws;
        // SAFETY: TIOCGWINSZ writes one struct winsize, the local passed by address.
        if (LibC.ioctl(fd.Fd, TerminalFlags.TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0 || ws.ws_col == 0) return null;
        return (ws.ws_row, ws.ws_col);
    }

    public unsafe void SetWindowSize(int rows, int columns)
    {
        using var fd = new Descriptor(_handle);
        var ws = new winsize { ws_row = (ushort)rows, ws_col = (ushort)columns };
        // SAFETY: TIOCSWINSZ reads one struct winsize, the local passed by address.
        Libc.Check(LibC.ioctl(fd.Fd, TerminalFlags.TIOCSWINSZ, &ws), "ioctl(TIOCSWINSZ)", _name);
    }

    /// <summary>Whether a key (or a hang-up) is waiting to be read within <paramref name="timeout"/>.</summary>
    public bool WaitForInput(TimeSpan timeout)
    {
        using var fd = new Descriptor(_handle);
        return Libc.WaitReadable(fd.Fd, (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue), _name);
    }

    /// <summary>Blocking read of at least one byte; 0 means end of file (the line hung up).</summary>
    public unsafe int Read(Span<byte> buffer)
    {
        using var fd = new Descriptor(_handle);
        int n = fd.Fd;
        // SAFETY: the buffer is pinned for the call and its length passed with it; the kernel writes at most that much.
        fixed (byte* p = buffer)
        {
            byte* q = p;
            int length = buffer.Length;
            return (int)Libc.Retry(() => LibC.read(n, q, length), "read", _name);
        }
    }

    public unsafe void Write(ReadOnlySpan<byte> data)
    {
        using var fd = new Descriptor(_handle);
        int n = fd.Fd;
        while (!data.IsEmpty)
        {
            // SAFETY: the data is pinned for the call and its length passed with it; the kernel only reads it.
            fixed (byte* p = data)
            {
                byte* q = p;
                int length = data.Length;
                long written = Libc.Retry(() => LibC.write(n, q, length), "write", _name);
                data = data[(int)written..];
            }
        }
    }

    internal static uint BaudConstant(uint baud) => baud switch
    {
        9600 => 0x0D,
        19200 => 0x0E,
        38400 => 0x0F,
        57600 => 0x1001,
        115200 => 0x1002,
        230400 => 0x1003,
        460800 => 0x1004,
        921600 => 0x1007,
        _ => throw new ArgumentOutOfRangeException(nameof(baud), baud, "supported: 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600"),
    };

    public void Dispose()
    {
        Restore();
        _handle.Dispose();
    }
}
