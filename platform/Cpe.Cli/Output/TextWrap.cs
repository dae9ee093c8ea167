using System.Text;

namespace Cpe.Cli.Output;

/// <summary>
/// Fits text to the terminal's width (80 on a serial line) as Junos does for long messages: a line too long is broken
/// at a space, and what follows is indented four more than the line it came from, so it reads as that line's tail.
/// </summary>
public static class TextWrap
{
    public static string Fit(string text, int width)
    {
        var sb = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            if (sb.Length > 0) sb.Append('\n');
            Line(sb, line, width);
        }
        return sb.ToString();
    }

    static void Line(StringBuilder sb, string line, int width)
    {
        int indent = line.Length - line.TrimStart(' ').Length;
        string continuation = new(' ', Math.Min(indent + 4, width / 2));
        string rest = line;
        bool first = true;
        while (true)
        {
            string prefix = first ? "" : continuation;
            if (prefix.Length + rest.Length <= width)
            {
                sb.Append(prefix).Append(rest);
                return;
            }
            int room = width - prefix.Length;
            int at = rest.LastIndexOf(' ', room);
            // No space to break at (a long URL): break it where the width ends.
            if (at <= rest.Length - rest.TrimStart(' ').Length) at = room;
            sb.Append(prefix).Append(rest[..at].TrimEnd()).Append('\n');
            rest = rest[at..].TrimStart(' ');
            first = false;
        }
    }
}
