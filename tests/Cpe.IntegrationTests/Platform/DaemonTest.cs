using Cpe.TestKit;

namespace Cpe.IntegrationTests.Platform;

/// <summary>
/// A test class with its own running cped. Set-up failures still tear down (xunit does not call
/// DisposeAsync when InitializeAsync throws), so no daemon or folder outlives a failing test.
/// </summary>
public abstract class DaemonTest : IAsyncLifetime
{
    DaemonProcess? _cped;
    protected DaemonProcess Cped => _cped ??= CreateDaemon();

    /// <summary>The cped this class runs: by default one with no board.</summary>
    protected virtual DaemonProcess CreateDaemon() => new();

    /// <summary>More tear-down after cped has stopped.</summary>
    protected virtual void AfterStopped() { }

    /// <summary>More set-up once cped answers.</summary>
    protected virtual Task SetUpAsync() => Task.CompletedTask;

    /// <summary>More tear-down before cped is stopped.</summary>
    protected virtual void TearDown() { }

    protected Task<CliResult> Cpe(string commands, string? asUser = null) => CliProcess.RunAsync(Cped.SocketPath, commands, asUser);

    /// <summary>cpe on a pseudo-terminal of <paramref name="rows"/> lines, at its operational prompt.</summary>
    protected PtyDriver Terminal(int rows = 24)
    {
        var tty = PtyDriver.Start(Binaries.Cpe, ["--socket", Cped.SocketPath], rows);
        tty.WaitFor("root@cpe> ");
        return tty;
    }

    public async Task InitializeAsync()
    {
        try
        {
            await Cped.StartAsync();
            await SetUpAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        try { TearDown(); }
        finally
        {
            try { if (_cped is not null) await _cped.DisposeAsync(); }
            finally { AfterStopped(); }
        }
    }
}
