using System.Runtime.InteropServices;

namespace Cpe.Interop;

/// <summary>struct termios as glibc lays it out on Linux (x86_64 and aarch64): 60 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Termios
{
    public uint c_iflag;
    public uint c_oflag;
    public uint c_cflag;
    public uint c_lflag;
    public byte c_line;
    public fixed byte c_cc[32];
    public uint c_ispeed;
    public uint c_ospeed;

    // c_cflag bits (asm-generic/termbits.h).
    public const uint CSIZE = 0x30, CS8 = 0x30, CSTOPB = 0x40, CREAD = 0x80, PARENB = 0x100, CLOCAL = 0x800, CRTSCTS = 0x80000000;
    // c_oflag: keep output post-processing so "\n" becomes "\r\n" on the line.
    public const uint OPOST = 0x1, ONLCR = 0x4;
    public const int VMIN = 6, VTIME = 5;
    public const int TCSANOW = 0, TCSADRAIN = 1;
}

[StructLayout(LayoutKind.Sequential)]
internal struct WinSize
{
    public ushort Rows;
    public ushort Cols;
    public ushort XPixel;
    public ushort YPixel;

    public const nuint TIOCGWINSZ = 0x5413;
    public const nuint TIOCSWINSZ = 0x5414;
}
