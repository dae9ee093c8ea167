using System.Runtime.InteropServices;
using Cpe.Platform;

// cped: the platform daemon. Exit codes: 0 stopped cleanly, 2 bad command line, 1 failed to start.
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

await using var daemon = new Daemon(options, TimeProvider.System, Console.Error);
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
try { await Task.Delay(Timeout.Infinite, stop.Token); }
catch (OperationCanceledException) { }
await daemon.StopAsync();
return 0;
