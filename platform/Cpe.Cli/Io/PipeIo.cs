namespace Cpe.Cli.Io;

/// <summary>Commands from -c or from standard input that is not a terminal: no echo, no paging.</summary>
public sealed class PipeIo(TextReader input, TextWriter output, TextWriter error) : ITerminalIo
{
    public bool IsInteractive => false;
    public (int Rows, int Columns) Size => (int.MaxValue, 80);
    public int ReadByte() => input.Read();
    public string? ReadLine() => input.ReadLine();
    public void Write(string text) { output.Write(text); output.Flush(); }
    public void WriteError(string text) { error.Write(text); error.Flush(); }
    public void DiscardInput() { }
    public bool WaitForInterrupt(TimeSpan wait) { Thread.Sleep(wait); return false; }
}
