using System.Diagnostics;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Platform;

/// <summary>cped refuses to start on a board profile it cannot use, says why, and leaves the state folder untouched.</summary>
[Trait("Kind", "Integration")]
public sealed class BoardProfileOptionTests : IDisposable
{
    readonly TempFolder _dir = new("cpe-board-");
    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("""{"model":"x","ports":[{"name":"ge-0/0/0","netdev":"a"},{"name":"ge-0/0/1","netdev":"a"}]}""", "'a' is named by more than one port")]
    [InlineData(null, "Could not find file")]
    public void A_bad_board_profile_stops_cped_before_it_opens_anything(string? json, string reason)
    {
        string profile = _dir["board.json"], state = _dir["state"];
        if (json is not null) File.WriteAllText(profile, json);
        Directory.CreateDirectory(state);
        var psi = new ProcessStartInfo("unshare", ["-u", "--", Binaries.Cped, "--state-dir", state, "--socket", _dir["api.sock"], "--board", profile])
        { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var cped = Process.Start(psi)!;
        string error = cped.StandardError.ReadToEnd();
        Assert.True(cped.WaitForExit(10_000));
        Assert.Equal(1, cped.ExitCode);
        Assert.StartsWith("cped: cannot start: ", error);
        Assert.Contains(reason, error);
        Assert.Empty(Directory.GetFileSystemEntries(state));
    }
}
