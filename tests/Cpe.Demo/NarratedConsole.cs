using System.Text;

/// <summary>
/// The console a pseudo-terminal's output is echoed to, with the demo's notes between its lines: output goes out a
/// whole line at a time, so a note lands before the prompt the terminal is showing, never inside a command line.
/// </summary>
sealed class NarratedConsole : TextWriter
{
    readonly StringBuilder _partial = new();
    readonly Lock _gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        if (value == '\r') return;
        lock (_gate)
        {
            _partial.Append(value);
            if (value != '\n') return;
            Console.Write(_partial);
            _partial.Clear();
        }
    }

    /// <summary>A line of the demo's own, marked as such, before the line the terminal is writing.</summary>
    public void Note(string text) => Print("  >> " + text);

    /// <summary>Another program's output (a host's ping), as it is, before the line the terminal is writing.</summary>
    public void Print(string text)
    {
        lock (_gate) Console.WriteLine(text);
    }

    /// <summary>The last line, when the terminal has nothing more to say.</summary>
    public override void Flush()
    {
        lock (_gate)
        {
            if (_partial.Length > 0) Console.WriteLine(_partial);
            _partial.Clear();
        }
    }
}

/// <summary>Whole lines to another writer until muted: the phone-home agent's lines, while the demo is about them.</summary>
sealed class MutableLines(TextWriter inner) : TextWriter
{
    public bool Muted { get; set; }
    public override Encoding Encoding => inner.Encoding;
    public override void Write(char value) { if (!Muted) inner.Write(value); }
    public override void WriteLine(string? value) { if (!Muted) inner.WriteLine(value); }
}
