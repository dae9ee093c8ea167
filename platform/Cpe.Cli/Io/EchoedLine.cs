using System.Text;

namespace Cpe.Cli.Io;

/// <summary>A whole line from a terminal without editing: each key echoed, Enter ends it.</summary>
public static class EchoedLine
{
    /// <summary>The line, or null at end of input before any key.</summary>
    public static string? Read(ITerminalIo io)
    {
        var sb = new StringBuilder();
        while (true)
        {
            int b = io.ReadByte();
            if (b < 0) return sb.Length == 0 ? null : sb.ToString();
            if (b is '\r' or '\n') { io.Write("\n"); return sb.ToString(); }
            sb.Append((char)b);
            io.Write(((char)b).ToString());
        }
    }
}
