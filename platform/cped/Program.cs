using System.Runtime.InteropServices;
using Cpe.Platform;
using Cpe.Platform.Board;

// cped: the platform daemon. Exit codes: 0 stopped cleanly, 2 bad command line, 1 failed to start; on a board whose
// power is "simulated", 75 asks the board's supervisor to reboot it (also after zeroizing) and 76 to power it off.
DaemonOptions options;
try { options = DaemonOptions.Parse(args); }
catch (ArgumentException e)
{
    Console.Error.WriteLine($"cped: {e.Message}\n{DaemonOptions.Usage}");
    return 2;
}

using var stop = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop.Cancel(); });

// With a log file, log lines go there (bounded, rotated); standard error keeps what the runtime writes on a crash.
using var logFile = options.LogFile is string path ? new Cpe.Platform.Logging.RotatingLogFile(path) : null;
await using var daemon = new Daemon(options, TimeProvider.System, (TextWriter?)logFile ?? Console.Error);
try
{
    await daemon.StartAsync(stop.Token);
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or System.Net.Sockets.SocketException
    or Microsoft.Data.Sqlite.SqliteException or Cpe.Netlink.NetlinkException)
{
    Console.Error.WriteLine($"cped: cannot start: {e.Message}");
    return 1;
}
await Task.WhenAny(Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default), daemon.PowerRequested);
bool simulated = daemon.Board?.Simulated ?? true;
await daemon.StopAsync();
if (!daemon.PowerRequested.IsCompleted) return 0;
var request = await daemon.PowerRequested;
if (request.Action == PowerAction.Zeroize) Zeroizer.Erase(options);
if (simulated) return request.Action == PowerAction.PowerOff ? 76 : 75;
if (request.Action == PowerAction.PowerOff) Cpe.Interop.Power.PowerOff();
else Cpe.Interop.Power.Restart();
return 0;
