using System.Diagnostics;

namespace Cpe.TestKit;

/// <summary>Runs a helper program (ip, modinfo, nsenter, a shell line) to completion and returns its standard output.</summary>
public static class Command
{
    /// <param name="check">When true, a non-zero exit is an error carrying the program's standard error.</param>
    public static string Run(string file, IEnumerable<string> args, bool check = true)
    {
        var list = args.ToList();
        var (exitCode, output, error) = Capture(file, list);
        if (check && exitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', list)} failed ({exitCode}): {error}");
        return output;
    }

    /// <summary>Runs a program to completion: its exit code, standard output and standard error (for tests of a refusal).</summary>
    public static (int ExitCode, string Output, string Error) Capture(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var error = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, error.Result);
    }
}
