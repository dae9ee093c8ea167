using System.Diagnostics;

namespace Cpe.ImageBuilder;

/// <summary>Runs a build tool (mksquashfs, sgdisk, mtools …) to completion; a failure is an error naming the command and its output.</summary>
static class Tool
{
    public static string Run(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null, bool check = true)
    {
        var list = args.ToList();
        var psi = new ProcessStartInfo(file, list) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi) ?? throw new BuildException($"{file} did not start");
        var error = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (check && p.ExitCode != 0)
            throw new BuildException($"{file} {string.Join(' ', list)} failed ({p.ExitCode}): {error.Result.Trim()} {output.Trim()}");
        return output;
    }
}

sealed class BuildException(string message) : Exception(message);
