using System.Diagnostics;

namespace Cpe.TestKit;

/// <summary>
/// The technician's laptop on a serial <paramref name="device"/>: "cpe connect" with its own terminal (the
/// technician's <see cref="Screen"/>), and "cpe send" beside it. Returns once "cpe connect" has set the line up.
/// </summary>
public sealed class Laptop : IDisposable
{
    readonly string _device;

    public string Control { get; }
    public PtyDriver Screen { get; private set; }

    public Laptop(string device, string folder)
    {
        _device = device;
        Control = Path.Combine(folder, "connect.sock");
        Screen = Start();
    }

    PtyDriver Start()
    {
        var screen = PtyDriver.Start(Binaries.Cpe, ["connect", "--device", _device, "--baud", "115200", "--control", Control]);
        screen.WaitFor("baud; Ctrl-] leaves");
        return screen;
    }

    /// <summary>"cpe connect" ends (closed, crashed) and is started again on the same adapter.</summary>
    public void Restart()
    {
        Screen.Dispose();
        Screen = Start();
    }

    /// <summary>"cpe send FILE", its output line by line to <paramref name="line"/> as it comes.</summary>
    public async Task<(int ExitCode, string Output)> SendAsync(string file, Action<string>? line = null)
    {
        var psi = new ProcessStartInfo(Binaries.Cpe, ["send", file, "--control", Control])
        { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        using var send = Process.Start(psi)!;
        var output = new System.Text.StringBuilder();
        var errors = send.StandardError.ReadToEndAsync();
        while (await send.StandardOutput.ReadLineAsync() is string text)
        {
            output.AppendLine(text);
            line?.Invoke(text);
        }
        await send.WaitForExitAsync();
        return (send.ExitCode, output + await errors);
    }

    /// <summary>Logs in on the box's console through the laptop's terminal and waits for the CLI prompt.</summary>
    public void LogIn(string user, string password, TimeSpan? timeout = null)
    {
        Screen.Type("\r");
        Screen.WaitFor("login: ", timeout);
        Screen.Type(user + "\r");
        Screen.WaitFor("Password: ");
        Screen.Type(password + "\r");
        Screen.WaitFor("> ", TimeSpan.FromSeconds(60));
    }

    public void Dispose() => Screen.Dispose();
}
