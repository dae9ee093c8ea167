using System.Diagnostics;
using System.Text;
using Cpe.Interop;

namespace Cpe.TestKit;

/// <summary>
/// Runs a program on a real pseudo-terminal and plays the technician: types keys, waits for text
/// on the screen. Everything the program printed is kept in <see cref="Transcript"/>.
/// </summary>
public sealed class PtyDriver : IDisposable
{
    readonly PseudoTerminal _pty;
    readonly Terminal _master;
    readonly StringBuilder _screen = new();
    readonly Thread _reader;
    readonly TextWriter? _echo;
    int _consumed;

    public Process Process { get; }
    public string SlavePath => _pty.SlavePath;

    PtyDriver(PseudoTerminal pty, Process process, TextWriter? echo)
    {
        _pty = pty;
        _master = pty.MasterTerminal();
        Process = process;
        _echo = echo;
        // A blocking read loop on its own thread: the master fd is not a socket.
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "pty-reader" };
        _reader.Start();
    }

    /// <summary>Starts <paramref name="program"/> with the pty as its standard input, output and error.</summary>
    public static PtyDriver Start(string program, IEnumerable<string> args, int rows = 24, int columns = 80, TextWriter? echo = null,
        IDictionary<string, string>? environment = null)
    {
        var pty = PseudoTerminal.Open();
        pty.MasterTerminal().SetWindowSize(rows, columns);
        var psi = new ProcessStartInfo("setsid", ["sh", "-c", "exec \"$0\" \"$@\" <\"$PTS\" >\"$PTS\" 2>&1", program, .. args])
        {
            UseShellExecute = false,
        };
        psi.Environment["PTS"] = pty.SlavePath;
        psi.Environment["TERM"] = "dumb";
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        return new PtyDriver(pty, Process.Start(psi)!, echo);
    }

    /// <summary>Opens a pty with no program on it: a serial line for "cpe console --device".</summary>
    public static PtyDriver Line(Process process, PseudoTerminal pty, TextWriter? echo = null) => new(pty, process, echo);

    void ReadLoop()
    {
        var buffer = new byte[4096];
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[4096];
        while (true)
        {
            int n;
            try { n = _master.Read(buffer); }
            catch (LinuxException) { break; }   // EIO once every slave is closed
            if (n <= 0) break;
            int c = decoder.GetChars(buffer, 0, n, chars, 0);
            lock (_screen)
            {
                _screen.Append(chars, 0, c);
                Monitor.PulseAll(_screen);
            }
            _echo?.Write(chars, 0, c);
        }
        lock (_screen) { Closed = true; Monitor.PulseAll(_screen); }
    }

    public bool Closed { get; private set; }

    public string Transcript { get { lock (_screen) return _screen.ToString(); } }

    public void Type(string text) => _master.Write(Encoding.UTF8.GetBytes(text));

    public void Key(byte key) => _master.Write([key]);

    /// <summary>Waits until <paramref name="text"/> appears after what earlier waits consumed; returns everything up to and including it.</summary>
    public string WaitFor(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        lock (_screen)
        {
            while (true)
            {
                string all = _screen.ToString();
                int at = all.IndexOf(text, _consumed, StringComparison.Ordinal);
                if (at >= 0)
                {
                    string seen = all[_consumed..(at + text.Length)];
                    _consumed = at + text.Length;
                    return seen;
                }
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || Closed)
                    throw new TimeoutException($"'{text}' did not appear{(Closed ? " (terminal closed)" : "")}. Screen since last match:\n{all[_consumed..]}");
                Monitor.Wait(_screen, left);
            }
        }
    }

    /// <summary>Types a line and waits for the next prompt ending; returns what was printed in between.</summary>
    public string Run(string command, string promptEnd = "> ")
    {
        Type(command + "\r");
        return WaitFor(promptEnd);
    }

    public void Dispose()
    {
        if (!Process.HasExited) { try { Process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }
        Process.WaitForExit(5000);
        Process.Dispose();
        _pty.Dispose();
    }
}
