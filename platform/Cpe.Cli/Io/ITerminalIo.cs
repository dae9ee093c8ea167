namespace Cpe.Cli.Io;

/// <summary>
/// Where the CLI talks to a person: a terminal (keys one at a time, a window size) or a pipe
/// (whole lines, no size). Shaped by what the shell needs, nothing more.
/// </summary>
public interface ITerminalIo
{
    /// <summary>True on a terminal: line editing, help keys, paging and prompts apply.</summary>
    bool IsInteractive { get; }

    /// <summary>Rows and columns; 24 by 80 when the line does not say (a serial port).</summary>
    (int Rows, int Columns) Size { get; }

    /// <summary>Next input byte, or -1 at end of input (hang-up, end of file).</summary>
    int ReadByte();

    /// <summary>Next whole line without editing (pipes), or null at end of input.</summary>
    string? ReadLine();

    void Write(string text);

    void WriteError(string text);

    /// <summary>
    /// Drops keys typed while nothing read them (the platform was restarting): they must not become the next login
    /// name or command. Nothing to drop where input is a script.
    /// </summary>
    void DiscardInput();

    /// <summary>
    /// Waits up to <paramref name="wait"/> while a command runs (ping, monitor log), true as soon as Ctrl-C is typed
    /// or the line hangs up; other keys are dropped. A script cannot interrupt: it waits the whole time.
    /// </summary>
    bool WaitForInterrupt(TimeSpan wait);
}
