using Microsoft.Win32.SafeHandles;

namespace Cpe.Interop;

/// <summary>
/// A terminal line (a serial port, a console or a pseudo-terminal) by file descriptor:
/// raw mode for a line editor, line speed for a serial port, and the window size.
/// </summary>
public sealed class Terminal : IDisposable
{
    readonly int _fd;
    readonly SafeFileHandle? _owned;
    Termios _saved;
    bool _modified;

    Terminal(int fd, SafeFileHandle? owned) { _fd = fd; _owned = owned; }

    /// <summary>Wraps an inherited descriptor (0 for standard input); it is not closed on dispose.</summary>
    public static Terminal FromDescriptor(int fd) => new(fd, null);

    /// <summary>Opens a terminal device such as /dev/ttyS0 or /dev/pts/3 for reading and writing.</summary>
    public static Terminal Open(string device)
    {
        const int O_RDWR = 2, O_NOCTTY = 0x100, O_CLOEXEC = 0x80000;
        int fd = (int)Libc.Check(() => Libc.open(device, O_RDWR | O_NOCTTY | O_CLOEXEC), "open", device);
        return new Terminal(fd, new SafeFileHandle(fd, ownsHandle: true));
    }

    public int Descriptor => _fd;

    public static bool IsTerminal(int fd) => Libc.isatty(fd) == 1;

    /// <summary>Drops what was typed and not read yet (tcflush TCIFLUSH).</summary>
    public void DiscardInput()
    {
        const int TCIFLUSH = 0;
        Libc.Check(Libc.tcflush(_fd, TCIFLUSH), "tcflush", $"fd {_fd}");
    }

    /// <summary>
    /// Raw input (no echo, no line discipline, no signals) but output still maps \n to \r\n; <paramref name="binary"/>:
    /// output as written too (the console link's frames, which must arrive byte for byte).
    /// </summary>
    public void EnterRawMode(uint? baud = null, bool binary = false)
    {
        Libc.Check(Libc.tcgetattr(_fd, out var t), "tcgetattr", $"fd {_fd}");
        if (!_modified) { _saved = t; _modified = true; }
        Libc.cfmakeraw(ref t);
        if (!binary) t.c_oflag |= Termios.OPOST | Termios.ONLCR;
        unsafe
        {
            t.c_cc[Termios.VMIN] = 1;
            t.c_cc[Termios.VTIME] = 0;
        }
        if (baud is uint b)
        {
            // A serial console: 8 data bits, no parity, 1 stop bit, no hardware flow control.
            uint speed = BaudConstant(b);
            t.c_cflag &= ~(Termios.CSIZE | Termios.PARENB | Termios.CSTOPB | Termios.CRTSCTS);
            t.c_cflag |= Termios.CS8 | Termios.CREAD | Termios.CLOCAL;
            Libc.Check(Libc.cfsetispeed(ref t, speed), "cfsetispeed", $"fd {_fd}");
            Libc.Check(Libc.cfsetospeed(ref t, speed), "cfsetospeed", $"fd {_fd}");
        }
        Libc.Check(Libc.tcsetattr(_fd, Termios.TCSADRAIN, t), "tcsetattr", $"fd {_fd}");
    }

    /// <summary>Puts back the line settings found before <see cref="EnterRawMode"/>.</summary>
    public void Restore()
    {
        if (!_modified) return;
        Libc.tcsetattr(_fd, Termios.TCSADRAIN, _saved);
        _modified = false;
    }

    /// <summary>Rows and columns from TIOCGWINSZ, or null when the line does not know (a serial port).</summary>
    public (int Rows, int Columns)? WindowSize()
    {
        if (Libc.ioctl(_fd, WinSize.TIOCGWINSZ, out WinSize ws) < 0 || ws.Rows == 0 || ws.Cols == 0) return null;
        return (ws.Rows, ws.Cols);
    }

    public void SetWindowSize(int rows, int columns)
    {
        var ws = new WinSize { Rows = (ushort)rows, Cols = (ushort)columns };
        Libc.Check(Libc.ioctl_set(_fd, WinSize.TIOCSWINSZ, in ws), "ioctl(TIOCSWINSZ)", $"fd {_fd}");
    }

    /// <summary>Whether a key (or a hang-up) is waiting to be read within <paramref name="timeout"/>.</summary>
    public bool WaitForInput(TimeSpan timeout) => Libc.WaitReadable(_fd, (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue), $"fd {_fd}");

    /// <summary>Blocking read of at least one byte; 0 means end of file (the line hung up).</summary>
    public unsafe int Read(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            byte* q = p;
            int len = buffer.Length;
            long n = Libc.Check(() => Libc.read(_fd, q, (nuint)len), "read", $"fd {_fd}");
            return (int)n;
        }
    }

    public unsafe void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            fixed (byte* p = data)
            {
                byte* q = p;
                int len = data.Length;
                long n = Libc.Check(() => Libc.write(_fd, q, (nuint)len), "write", $"fd {_fd}");
                data = data[(int)n..];
            }
        }
    }

    internal static uint BaudConstant(uint baud) => baud switch
    {
        9600 => 0x0D, 19200 => 0x0E, 38400 => 0x0F,
        57600 => 0x1001, 115200 => 0x1002, 230400 => 0x1003, 460800 => 0x1004, 921600 => 0x1007,
        _ => throw new ArgumentOutOfRangeException(nameof(baud), baud, "supported: 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600"),
    };

    public void Dispose()
    {
        Restore();
        _owned?.Dispose();
    }
}
