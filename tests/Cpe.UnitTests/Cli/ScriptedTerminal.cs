using System.Text;
using Cpe.Cli.Io;

namespace Cpe.UnitTests.Cli;

/// <summary>A terminal whose keys come from a string and whose screen is a string.</summary>
public sealed class ScriptedTerminal(string keys, int rows = 24) : ITerminalIo
{
    readonly byte[] _keys = Encoding.UTF8.GetBytes(keys);
    int _next;
    public StringBuilder Screen { get; } = new();
    public bool IsInteractive => true;
    public (int Rows, int Columns) Size => (rows, 80);
    public int ReadByte() => _next < _keys.Length ? _keys[_next++] : -1;
    public string? ReadLine() => throw new NotSupportedException();
    public void Write(string text) => Screen.Append(text);
    public void WriteError(string text) => Screen.Append(text);
    public void DiscardInput() { }
    /// <summary>Ctrl-C when it is the next key (consumed), as a terminal would have it typed during the command.</summary>
    public bool WaitForInterrupt(TimeSpan wait) => _next < _keys.Length && _keys[_next] == 0x03 && ++_next > 0;
}
