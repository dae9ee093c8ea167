using Cpe.Phonehome.Logging;

namespace Cpe.UnitTests.Phonehome;

/// <summary>The agent's console lines, as technicians and the journal read them (docs/reference/phonehome.md).</summary>
[Trait("Kind", "Unit")]
public class AgentLogTests
{
    [Fact]
    public void Each_message_is_one_ZTP_line_and_a_failure_ends_with_its_exception_s_message()
    {
        var console = new StringWriter();
        var log = new AgentConsoleLogger(console);
        AgentLog.Started(log, "1.2.0", "SIM-0001");
        AgentLog.CannotResolve(log, new Uri("https://bootstrap.example:8443"), "DHCP on ge-0/0/0", new System.Net.Sockets.SocketException(11001));
        AgentLog.ProgressWith(log, "config-error", "commit failed");
        var lines = console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("ZTP: cpe-phonehome 1.2.0: serial number SIM-0001", lines[0]);
        Assert.StartsWith("ZTP: https://bootstrap.example:8443/ (from DHCP on ge-0/0/0): cannot resolve: ", lines[1]);
        Assert.True(lines[1].Length > "ZTP: https://bootstrap.example:8443/ (from DHCP on ge-0/0/0): cannot resolve: ".Length, "the exception's message follows");
        Assert.Equal("ZTP: config-error: commit failed", lines[2]);
    }
}
