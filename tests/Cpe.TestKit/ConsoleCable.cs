using System.Diagnostics;
using Cpe.Interop;

namespace Cpe.TestKit;

/// <summary>
/// A technician's laptop on a box's console cable: "cpe console" on one pseudo-terminal (the box's ttyS0), the
/// <see cref="Laptop"/> on another (its USB adapter), and between the two lines a cable that carries
/// <paramref name="bytesPerSecond"/> each way and can be pulled (every byte lost while it is out) and plugged back.
/// </summary>
public sealed class ConsoleCable : IDisposable
{
    readonly PseudoTerminal _box = PseudoTerminal.Open(), _laptop = PseudoTerminal.Open();
    readonly Process _console;
    readonly int _bytesPerSecond;
    volatile bool _pulled;
    readonly System.Text.StringBuilder _errors = new();

    /// <summary>What the box's console wrote on its standard error (nothing, unless it failed).</summary>
    public string ConsoleErrors { get { lock (_errors) return _errors.ToString(); } }

    public Laptop Laptop { get; }
    public PtyDriver Screen => Laptop.Screen;

    public ConsoleCable(string socket, string incoming, string folder, int bytesPerSecond = 100_000)
    {
        _bytesPerSecond = bytesPerSecond;
        // The laptop first: each program sets its line raw when it starts, and a line not yet raw echoes what it gets.
        Laptop = new Laptop(_laptop.SlavePath, folder);
        var psi = new ProcessStartInfo(Binaries.Cpe, ["--socket", socket, "console", "--device", _box.SlavePath, "--baud", "115200", "--incoming", incoming])
        { UseShellExecute = false, RedirectStandardError = true };
        _console = Process.Start(psi)!;
        _console.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_errors) _errors.AppendLine(e.Data); };
        _console.BeginErrorReadLine();
        Relay(_box, _laptop);
        Relay(_laptop, _box);
    }

    /// <summary>Copies what one line's far end writes to the other's, at the cable's rate, dropping it while pulled.</summary>
    void Relay(PseudoTerminal from, PseudoTerminal to)
    {
        var reading = from.MasterTerminal();
        var writing = to.MasterTerminal();
        new Thread(() =>
        {
            var buffer = new byte[512];
            try
            {
                while (true)
                {
                    int n = reading.Read(buffer);
                    if (n <= 0) return;
                    if (_pulled) continue;
                    writing.Write(buffer.AsSpan(0, n));
                    Thread.Sleep(TimeSpan.FromSeconds((double)n / _bytesPerSecond));
                }
            }
            catch (LinuxException) { }   // a line closed: the lab is being torn down
        })
        { IsBackground = true, Name = "cable" }.Start();
    }

    public void Pull() => _pulled = true;

    public void Plug() => _pulled = false;

    public void RestartLaptop() => Laptop.Restart();

    public Task<(int ExitCode, string Output)> SendAsync(string file, Action<string>? line = null) => Laptop.SendAsync(file, line);

    public void Dispose()
    {
        Laptop.Dispose();
        if (!_console.HasExited) { try { _console.Kill(); } catch (InvalidOperationException) { } }
        _console.WaitForExit(5000);
        _console.Dispose();
        _box.Dispose();
        _laptop.Dispose();
    }
}
