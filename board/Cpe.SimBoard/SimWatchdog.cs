using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

namespace Cpe.SimBoard;

/// <summary>
/// "cpe-sim watchdog": the simulated board's watchdog and power supply (docs/reference/simulated-board.md, "Watchdog").
/// The device is a FIFO the platform writes as it would /dev/watchdog: the first byte arms the timer, each byte is a
/// keepalive, 'V' disarms (the magic close before a clean stop). When an armed timer runs out, the command is killed
/// and started again, as a hardware reset would restart the box. The command's exit codes are the board's power
/// requests: 75 reboot (start it again), 76 power off (stop). Every event is a line in the log.
/// </summary>
public sealed class SimWatchdog(string device, TimeSpan timeout, string log, IReadOnlyList<string> command)
{
    public const int RebootExit = 75, PowerOffExit = 76;

    public static string Usage => "usage: cpe-sim watchdog --device FIFO --timeout SECONDS --log FILE -- COMMAND [ARGS...]";

    public static SimWatchdog Parse(IReadOnlyList<string> args)
    {
        string? device = null, log = null;
        int timeout = 0;
        int i = 0;
        for (; i < args.Count && args[i] != "--"; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--device": device = Next(); break;
                case "--log": log = Next(); break;
                case "--timeout":
                    timeout = int.TryParse(Next(), CultureInfo.InvariantCulture, out int t) && t is >= 1 and <= 600 ? t : throw new ArgumentException("--timeout must be 1 to 600 seconds");
                    break;
                default: throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        var command = args.Skip(i + 1).ToList();
        if (device is null || log is null || timeout == 0 || command.Count == 0) throw new ArgumentException(Usage);
        return new SimWatchdog(device, TimeSpan.FromSeconds(timeout), log, command);
    }

    void Say(string line) => File.AppendAllText(log, $"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {line}\n");

    public async Task<int> RunAsync(CancellationToken stop)
    {
        if (!File.Exists(device)) Run("mkfifo", device);
        // Opened read-write: never blocks, and the platform's open for writing always finds a reader.
        using var fifo = new FileStream(device, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1);
        var bytes = Channel.CreateUnbounded<byte>();
        var reader = new Thread(() =>
        {
            var one = new byte[1];
            try { while (fifo.Read(one, 0, 1) == 1) bytes.Writer.TryWrite(one[0]); }
            catch (Exception e) when (e is IOException or ObjectDisposedException) { }
        })
        { IsBackground = true };
        reader.Start();

        int resets = 0;
        while (!stop.IsCancellationRequested)
        {
            using var child = Start();
            bool armed = false;
            long keepalives = 0;
            var last = Stopwatch.StartNew();
            while (true)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
                wait.CancelAfter(TimeSpan.FromMilliseconds(100));
                try
                {
                    byte b = await bytes.Reader.ReadAsync(wait.Token);
                    if (b == (byte)'V') { armed = false; Say($"magic close: disarmed after {keepalives} keepalives"); continue; }
                    if (!armed) Say($"armed: timeout {timeout.TotalSeconds:0} s");
                    armed = true;
                    keepalives++;
                    last.Restart();
                    continue;
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested) { }
                catch (OperationCanceledException)
                {
                    Say("stopping: SIGTERM to the command");
                    Cpe.Interop.Signals.Terminate(child.Id);
                    await child.WaitForExitAsync(CancellationToken.None);
                    return 0;
                }
                if (armed && last.Elapsed > timeout)
                {
                    resets++;
                    Say($"timeout: no keepalive for {last.Elapsed.TotalSeconds:0.0} s after {keepalives}; reset {resets}: killing pid {child.Id} and starting again");
                    child.Kill(entireProcessTree: true);
                    await child.WaitForExitAsync(CancellationToken.None);
                    break;
                }
                if (child.HasExited)
                {
                    int code = child.ExitCode;
                    if (code == RebootExit) { Say("reboot requested (exit 75): starting again"); break; }
                    if (code == PowerOffExit) { Say("power-off requested (exit 76)"); return 0; }
                    if (armed) continue;   // a crash with the timer armed: the timer will reset the box
                    Say($"the command exited with {code}");
                    return code;
                }
            }
        }
        return 0;
    }

    Process Start()
    {
        var process = Process.Start(new ProcessStartInfo(command[0], command.Skip(1)) { UseShellExecute = false })!;
        Say($"started pid {process.Id}: {string.Join(' ', command)}");
        return process;
    }

    static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { UseShellExecute = false })!;
        p.WaitForExit();
        if (p.ExitCode != 0) throw new IOException($"{file} {string.Join(' ', args)} exited with {p.ExitCode}");
    }
}
