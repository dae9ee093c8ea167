using Cpe.Cli.Io;

namespace Cpe.Cli.Output;

/// <summary>
/// Shows output a screen at a time on a terminal: Space for the next page, Enter for one more line,
/// q to stop. Uses only carriage return and spaces to clear its prompt, so it works on any terminal.
/// </summary>
public static class Pager
{
    const string MorePrompt = "---(more)---";

    public static void Show(ITerminalIo io, string text, bool paging)
    {
        if (text.Length == 0) return;
        if (!paging || !io.IsInteractive) { io.Write(text); return; }
        var lines = text.Split('\n');
        int count = lines.Length - (text.EndsWith('\n') ? 1 : 0);
        int page = Math.Max(1, io.Size.Rows - 1);
        int shown = 0, allowance = page;
        while (shown < count)
        {
            int end = Math.Min(count, shown + allowance);
            for (; shown < end; shown++) io.Write(lines[shown] + "\n");
            if (shown >= count) break;
            io.Write(MorePrompt);
            int key = io.ReadByte();
            io.Write("\r" + new string(' ', MorePrompt.Length) + "\r");
            switch (key)
            {
                case ' ': allowance = page; break;
                case '\r' or '\n': allowance = 1; break;
                case 'q' or 'Q' or 0x03 or -1: return;
                default: allowance = page; break;
            }
        }
    }
}
