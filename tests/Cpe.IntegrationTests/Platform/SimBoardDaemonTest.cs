using Cpe.TestKit;

namespace Cpe.IntegrationTests.Platform;

/// <summary>A test class with its own simulated board, and a cped managing it from the board's box namespace.</summary>
public abstract class SimBoardDaemonTest(SimBoard sim) : DaemonTest
{
    protected SimBoard Sim { get; } = sim;

    /// <summary>More of cped's options.</summary>
    protected virtual IReadOnlyList<string> CpedArguments => [];

    protected override DaemonProcess CreateDaemon() =>
        new() { NetworkNamespace = Sim.Box, BoardProfile = Sim.ProfilePath, ExtraArguments = CpedArguments };

    protected override void AfterStopped() => Sim.Dispose();
}
