using System.Diagnostics;

namespace Cpe.TestKit;

/// <summary>The result of one run of the real cpe binary.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>Runs "cpe --socket S -c COMMANDS" (optionally as another user, through runuser) and collects what it printed.</summary>
public static class CliProcess
{
    public static async Task<CliResult> RunAsync(string socket, string commands, string? asUser = null, string? stdin = null, string? binary = null)
    {
        string cpe = binary ?? Binaries.Cpe;
        var args = new List<string> { "--socket", socket };
        if (commands.Length > 0) { args.Add("-c"); args.Add(commands); }
        var psi = asUser is null
            ? new ProcessStartInfo(cpe, args)
            : new ProcessStartInfo("runuser", ["-u", asUser, "--", cpe, .. args]);
        psi.RedirectStandardOutput = psi.RedirectStandardError = psi.RedirectStandardInput = true;
        psi.UseShellExecute = false;
        using var p = Process.Start(psi)!;
        if (stdin is not null) await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        return new CliResult(p.ExitCode, await output, await error);
    }
}
