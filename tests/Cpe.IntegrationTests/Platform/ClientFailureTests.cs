using Cpe.Api;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Platform;

/// <summary>When cped dies under a client, the client's calls fail at once instead of hanging.</summary>
[Trait("Kind", "Integration")]
public sealed class ClientFailureTests : DaemonTest
{
    [Fact]
    public async Task A_call_after_cped_was_killed_fails_promptly()
    {
        await using var api = await Cped.ConnectAsync();
        Assert.Equal("CPE firmware", (await api.VersionAsync()).Product);
        await Cped.KillAsync();
        var call = api.VersionAsync();
        var finished = await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.Same(call, finished);
        var e = await Assert.ThrowsAnyAsync<Exception>(() => call);
        Assert.True(e is RpcException or IOException or ObjectDisposedException, e.ToString());
    }

    [Fact]
    public async Task The_cli_reports_a_daemon_that_went_away()
    {
        using var tty = Terminal();
        await Cped.KillAsync();
        tty.Type("show version\r");
        tty.WaitFor("error: ", TimeSpan.FromSeconds(10));
        tty.Process.WaitForExit(10_000);
        Assert.True(tty.Process.HasExited, tty.Transcript);
        Assert.Equal(3, tty.Process.ExitCode);
    }
}
