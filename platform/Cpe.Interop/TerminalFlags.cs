namespace Cpe.Interop;

/// <summary>
/// The termios flags and terminal ioctls the platform sets (asm-generic/termbits.h, asm-generic/ioctls.h); the structs
/// themselves are Tmds.LibC's <c>termios</c> and <c>winsize</c>. Checked against the headers by InteropLayoutTests.
/// </summary>
internal static class TerminalFlags
{
    // c_cflag bits.
    public const uint CSIZE = 0x30, CS8 = 0x30, CSTOPB = 0x40, CREAD = 0x80, PARENB = 0x100, CLOCAL = 0x800, CRTSCTS = 0x80000000;
    // c_oflag: keep output post-processing so "\n" becomes "\r\n" on the line.
    public const uint OPOST = 0x1, ONLCR = 0x4;
    public const int VMIN = 6, VTIME = 5;
    public const int TCSANOW = 0, TCSADRAIN = 1;
    public const int TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414;
}
