using System.Text;
using Cpe.Interop;

namespace Cpe.Cli.Io;

/// <summary>
/// A terminal in raw mode: the console, a pseudo-terminal, or a serial line. Input and output may be
/// different descriptors of the same terminal (a shell may open standard input read-only).
/// </summary>
public sealed class TtyIo(Terminal terminal, Terminal? output = null) : ITerminalIo
{
    readonly byte[] _one = new byte[1];

    public bool IsInteractive => true;

    public (int Rows, int Columns) Size => terminal.WindowSize() ?? (24, 80);

    public int ReadByte()
    {
        try { return terminal.Read(_one) == 1 ? _one[0] : -1; }
        catch (LinuxException e) when (e.Errno == 5) { return -1; } // EIO: the line hung up
    }

    public string? ReadLine() => EchoedLine.Read(this);

    public void Write(string text) => (output ?? terminal).Write(Encoding.UTF8.GetBytes(text));

    public void WriteError(string text) => Write(text);

    public void DiscardInput() => terminal.DiscardInput();

    public bool WaitForInterrupt(TimeSpan wait)
    {
        long until = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        while (true)
        {
            long left = Math.Max(0, until - Environment.TickCount64);
            if (!terminal.WaitForInput(TimeSpan.FromMilliseconds(left))) return false;
            int b = ReadByte();
            if (b is 0x03 or < 0) return true;
            if (left == 0) return false;
        }
    }
}
