using System.Text;
using Cpe.Cli.Io;

namespace Cpe.Cli;

/// <summary>
/// Reads one command line from a terminal with editing that works on a dumb serial terminal:
/// only backspace, carriage return and plain characters are sent, never cursor addressing.
/// Keys: arrows and Ctrl-P/N/B/F, Ctrl-A/E, Backspace, Ctrl-U, Ctrl-W, Ctrl-K, Ctrl-C, Ctrl-D, Tab, "?".
/// </summary>
public sealed class LineEditor(ITerminalIo io)
{
    readonly List<string> _history = [];
    public const int HistoryLimit = 200;

    // Messages from another thread (broadcasts) and the line being read, which they are written above: each key is
    // handled, and each message written, under _screen, so the two never interleave on the terminal.
    readonly Lock _screen = new();
    readonly Queue<string> _held = new();
    StringBuilder? _reading;
    string _prompt = "";
    int _readingCursor;
    bool _readingEcho;

    /// <summary>Tab: returns the text to insert, or null after printing the choices.</summary>
    public Func<string, string?>? Complete { get; set; }

    /// <summary>"?": prints help for the line so far.</summary>
    public Action<string>? Help { get; set; }

    public IReadOnlyList<string> History => _history;

    /// <summary>Whether a line goes into the history (Up arrow): not one that carries a secret.</summary>
    public Func<string, bool> Remember { get; set; } = _ => true;

    /// <summary>True when Ctrl-C ended the last line read: a caller reading several lines (load terminal) stops.</summary>
    public bool Interrupted { get; private set; }

    /// <summary>The line typed; "" after Ctrl-C; null at end of input (Ctrl-D on an empty line, hang-up).</summary>
    public string? ReadLine(string prompt, bool echo = true, bool remember = true)
    {
        Interrupted = false;
        var line = new StringBuilder();
        int cursor = 0;
        int historyIndex = _history.Count;
        string draft = "";
        var decoder = Encoding.UTF8.GetDecoder();
        Span<char> chars = stackalloc char[2];
        lock (_screen)
        {
            while (_held.TryDequeue(out var message)) io.Write(message);
            io.Write(prompt);
            (_reading, _prompt, _readingEcho, _readingCursor) = (line, prompt, echo, 0);
        }

        try
        {
            while (true)
            {
                int b = io.ReadByte();
                if (b < 0) return line.Length > 0 ? line.ToString() : null;
                lock (_screen)
                {
                    switch (b)
                    {
                        case '\r' or '\n':
                            io.Write("\n");
                            string text = line.ToString();
                            if (remember && echo && text.Trim().Length > 0 && Remember(text) && (_history.Count == 0 || _history[^1] != text))
                            {
                                _history.Add(text);
                                if (_history.Count > HistoryLimit) _history.RemoveAt(0);
                            }
                            return text;
                        case 0x03: // Ctrl-C: abandon the line
                            io.Write("^C\n");
                            Interrupted = true;
                            return "";
                        case 0x04: // Ctrl-D: end of input on an empty line
                            if (line.Length == 0) { io.Write("\n"); return null; }
                            break;
                        case 0x7f or 0x08:
                            if (cursor > 0) { line.Remove(--cursor, 1); Redraw(line, ref cursor, cursor + 1, echo, erased: 1); }
                            break;
                        case 0x15: // Ctrl-U: erase the whole line, as Junos does (wherever the cursor is)
                            Replace(line, ref cursor, "", echo, newCursor: 0);
                            break;
                        case 0x17: // Ctrl-W: kill the word before the cursor
                        {
                            int start = cursor;
                            while (start > 0 && line[start - 1] == ' ') start--;
                            while (start > 0 && line[start - 1] != ' ') start--;
                            if (start == cursor) break;
                            string rest = line.ToString(0, start) + line.ToString(cursor, line.Length - cursor);
                            Replace(line, ref cursor, rest, echo, newCursor: start);
                            break;
                        }
                        case 0x0b: // Ctrl-K: kill to the end
                            Replace(line, ref cursor, line.ToString(0, cursor), echo, newCursor: cursor);
                            break;
                        case 0x01: MoveTo(line, ref cursor, 0, echo); break;            // Ctrl-A
                        case 0x05: MoveTo(line, ref cursor, line.Length, echo); break;  // Ctrl-E
                        case 0x02: MoveTo(line, ref cursor, cursor - 1, echo); break;   // Ctrl-B
                        case 0x06: MoveTo(line, ref cursor, cursor + 1, echo); break;   // Ctrl-F
                        case 0x10: Recall(-1); break;                                   // Ctrl-P
                        case 0x0e: Recall(+1); break;                                   // Ctrl-N
                        case 0x0c: io.Write("\n" + prompt); Show(line, ref cursor, echo); break; // Ctrl-L
                        case 0x1b:
                            HandleEscape();
                            break;
                        case '\t' when echo && Complete is not null:
                        {
                            string before = line.ToString(0, cursor);
                            string? insert = Complete(before);
                            if (insert is null) { io.Write(prompt); Show(line, ref cursor, echo); }
                            else if (insert.Length > 0) Insert(line, ref cursor, insert, echo);
                            break;
                        }
                        case '?' when echo && Help is not null && !InsideQuotes(line, cursor):
                            io.Write("?\n");
                            Help(line.ToString(0, cursor));
                            io.Write(prompt);
                            Show(line, ref cursor, echo);
                            break;
                        default:
                            if (b < 0x20) break;
                            int n = decoder.GetChars([(byte)b], chars, flush: false);
                            if (n > 0) Insert(line, ref cursor, new string(chars[..n]), echo);
                            break;
                    }
                    _readingCursor = cursor;
                }
            }
        }
        finally { lock (_screen) _reading = null; }

        void HandleEscape()
        {
            int b1 = io.ReadByte();
            if (b1 is not ('[' or 'O')) return;
            int b2 = io.ReadByte();
            switch (b2)
            {
                case 'A': Recall(-1); break;
                case 'B': Recall(+1); break;
                case 'C': MoveTo(line, ref cursor, cursor + 1, echo); break;
                case 'D': MoveTo(line, ref cursor, cursor - 1, echo); break;
                case 'H': MoveTo(line, ref cursor, 0, echo); break;
                case 'F': MoveTo(line, ref cursor, line.Length, echo); break;
                case >= '0' and <= '9':
                    // ESC [ n ~ : Home (1, 7), End (4, 8), Delete (3).
                    int b3 = io.ReadByte();
                    if (b3 != '~') break;
                    if (b2 is '1' or '7') MoveTo(line, ref cursor, 0, echo);
                    else if (b2 is '4' or '8') MoveTo(line, ref cursor, line.Length, echo);
                    else if (b2 == '3' && cursor < line.Length) { line.Remove(cursor, 1); Redraw(line, ref cursor, cursor, echo, erased: 1); }
                    break;
            }
        }

        void Recall(int step)
        {
            if (!echo || _history.Count == 0) return;
            int next = Math.Clamp(historyIndex + step, 0, _history.Count);
            if (next == historyIndex) return;
            if (historyIndex == _history.Count) draft = line.ToString();
            historyIndex = next;
            string text = historyIndex == _history.Count ? draft : _history[historyIndex];
            Replace(line, ref cursor, text, echo, newCursor: text.Length);
        }
    }

    /// <summary>
    /// Writes <paramref name="message"/> (whole lines) on the terminal from any thread: above the line being typed,
    /// which is written again after it; while no line is read (a command runs), before the next prompt.
    /// </summary>
    public void Interject(string message)
    {
        string text = "\n" + message.TrimEnd('\n') + "\n";
        lock (_screen)
        {
            if (_reading is not { } line) { _held.Enqueue(text); return; }
            io.Write(text + _prompt);
            if (_readingEcho) io.Write(line + new string('\b', line.Length - _readingCursor));
        }
    }

    /// <summary>Forgets the messages waiting for the next prompt.</summary>
    public void DropHeld()
    {
        lock (_screen) _held.Clear();
    }

    void Insert(StringBuilder line, ref int cursor, string text, bool echo)
    {
        line.Insert(cursor, text);
        cursor += text.Length;
        if (!echo) return;
        string tail = line.ToString(cursor, line.Length - cursor);
        io.Write(text + tail + new string('\b', tail.Length));
    }

    /// <summary>After a deletion at the cursor: rewrite the tail and blank the characters it no longer covers.</summary>
    void Redraw(StringBuilder line, ref int cursor, int oldCursor, bool echo, int erased)
    {
        if (!echo) return;
        string tail = line.ToString(cursor, line.Length - cursor);
        io.Write(new string('\b', oldCursor - cursor) + tail + new string(' ', erased) + new string('\b', tail.Length + erased));
    }

    /// <summary>Replaces the whole line: back to the start, write the new text, blank what is left over.</summary>
    void Replace(StringBuilder line, ref int cursor, string text, bool echo, int newCursor)
    {
        int oldLength = line.Length;
        if (echo)
        {
            int extra = Math.Max(0, oldLength - text.Length);
            io.Write(new string('\b', cursor) + text + new string(' ', extra) + new string('\b', extra + text.Length - newCursor));
        }
        line.Clear().Append(text);
        cursor = newCursor;
    }

    void MoveTo(StringBuilder line, ref int cursor, int target, bool echo)
    {
        target = Math.Clamp(target, 0, line.Length);
        if (echo)
        {
            if (target < cursor) io.Write(new string('\b', cursor - target));
            else if (target > cursor) io.Write(line.ToString(cursor, target - cursor));
        }
        cursor = target;
    }

    void Show(StringBuilder line, ref int cursor, bool echo)
    {
        if (!echo) return;
        io.Write(line.ToString() + new string('\b', line.Length - cursor));
    }

    static bool InsideQuotes(StringBuilder line, int cursor)
    {
        bool quoted = false;
        for (int i = 0; i < cursor; i++)
        {
            if (line[i] == '\\' && quoted) { i++; continue; }
            if (line[i] == '"') quoted = !quoted;
        }
        return quoted;
    }
}
