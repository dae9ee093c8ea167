using System.Text;
using Cpe.Cli.Io;
using Cpe.Interop;

namespace Cpe.Cli.Link;

/// <summary>
/// The box's serial console as the CLI's terminal, with the console link beside it: plain text for any terminal
/// program, and once the technician's laptop says hello (cpe connect), the terminal's bytes in frames and files
/// pushed on the same line (<see cref="FileReceiver"/>) while the session goes on. The size is the laptop's window
/// while linked, else what the line says, else 24 by 80.
/// </summary>
public sealed class ConsoleLinkIo : ITerminalIo, IDisposable
{
    readonly Terminal _line;
    readonly LinkPort _port;
    readonly Queue<byte> _input = new();
    readonly object _inputLock = new();   // Monitor.Wait needs an object lock

    public ConsoleLinkIo(Terminal line, string incoming)
    {
        _line = line;
        _port = LinkPort.Box(line);
        Files = new FileReceiver(incoming, _port);
        _port.Plain = Enqueue;
        _port.Frame = (type, body) =>
        {
            if (type == FrameType.Terminal) Enqueue(body);
            else Files.Handle(type, body);
        };
        _port.LineLost = _ => { lock (_inputLock) Monitor.PulseAll(_inputLock); };
        _port.Start();
    }

    public FileReceiver Files { get; }

    public bool IsInteractive => true;

    public (int Rows, int Columns) Size => _port.PeerSize ?? _line.WindowSize() ?? (24, 80);

    void Enqueue(ReadOnlySpan<byte> bytes)
    {
        lock (_inputLock)
        {
            foreach (byte b in bytes) _input.Enqueue(b);
            Monitor.PulseAll(_inputLock);
        }
    }

    public int ReadByte()
    {
        lock (_inputLock)
        {
            while (true)
            {
                if (_input.TryDequeue(out byte b)) return b;
                if (_port.Ended) return -1;
                Monitor.Wait(_inputLock);
            }
        }
    }

    public string? ReadLine() => EchoedLine.Read(this);

    /// <summary>
    /// The line is binary (frames must cross it byte for byte), so the console maps \n to \r\n itself, as the line
    /// discipline does for a plain terminal; in frames the laptop's own terminal does it.
    /// </summary>
    public void Write(string text) => _port.SendTerminal(Encoding.UTF8.GetBytes(_port.Linked ? text : text.Replace("\n", "\r\n")));

    public void WriteError(string text) => Write(text);

    public void DiscardInput()
    {
        lock (_inputLock) _input.Clear();
    }

    public bool WaitForInterrupt(TimeSpan wait)
    {
        long until = Environment.TickCount64 + (long)wait.TotalMilliseconds;
        lock (_inputLock)
        {
            while (true)
            {
                while (_input.TryDequeue(out byte b))
                    if (b == 0x03) return true;
                if (_port.Ended) return true;
                long left = until - Environment.TickCount64;
                if (left <= 0) return false;
                Monitor.Wait(_inputLock, TimeSpan.FromMilliseconds(left));
            }
        }
    }

    public void Dispose() => _port.Dispose();
}
