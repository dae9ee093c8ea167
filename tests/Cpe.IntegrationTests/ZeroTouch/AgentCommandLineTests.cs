using Cpe.TestKit;

namespace Cpe.IntegrationTests.ZeroTouch;

/// <summary>cpe-phonehome's documented exits for a bad command line or factory storage: one line, exit 1.</summary>
[Trait("Kind", "Integration")]
public sealed class AgentCommandLineTests : IDisposable
{
    readonly TempFolder _dir = new("cpe-agent-cli-");
    public void Dispose() => _dir.Dispose();

    (int Exit, string Error) Run(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Binaries.Phonehome, args) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string error = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, error);
    }

    [Fact]
    public void A_bad_command_line_or_factory_storage_is_one_line_and_exit_1()
    {
        var (exit, error) = Run("--factory", _dir["none"], "--state-dir", _dir["state"]);
        Assert.Equal(1, exit);
        Assert.StartsWith($"cpe-phonehome: factory storage {_dir["none"]} has no idevid.pem", error);

        Command.Run(Binaries.VendorTool, ["ca", "create", "--dir", _dir["vendor"]]);
        Command.Run(Binaries.VendorTool, ["device", "issue", "--ca-dir", _dir["vendor"], "--serial", "SIM-0100", "--factory", _dir["factory"]]);
        File.WriteAllText(Path.Combine(_dir["factory"], "serial-number"), "SIM-9999\n");
        (exit, error) = Run("--factory", _dir["factory"], "--state-dir", _dir["state"]);
        Assert.Equal((1, "cpe-phonehome: factory storage " + _dir["factory"] + ": the IDevID names SIM-0100, not SIM-9999"), (exit, error.Split('\n')[0]));

        (exit, error) = Run("--factory", _dir["factory"], "--state-dir", _dir["state"], "--check-in", "2");
        Assert.Equal((1, "cpe-phonehome: --check-in must be a number from 5 to 86400"), (exit, error.Split('\n')[0]));
        Assert.Contains("usage: cpe-phonehome", error);
    }
}
