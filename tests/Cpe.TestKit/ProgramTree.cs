using System.Text.RegularExpressions;

namespace Cpe.TestKit;

/// <summary>A program made runnable inside another root (the kernel lab's initramfs, a VNF bundle's rootfs).</summary>
public static class ProgramTree
{
    /// <summary>
    /// Copies <paramref name="program"/> to <paramref name="target"/> under <paramref name="root"/>, and every shared
    /// library ldd says it loads to its own path under the root.
    /// </summary>
    public static void CopyWithLibraries(string program, string root, string target)
    {
        string destination = Path.Combine(root, target.TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.Copy(program, destination, overwrite: true);
        // ldd answers with a non-zero status for what it does not know (a static binary, a data file): nothing to copy.
        foreach (Match m in Regex.Matches(Command.Run("ldd", [program], check: false), @"(/\S+\.so[\w.\-]*)"))
        {
            string lib = Path.Combine(root, m.Groups[1].Value.TrimStart('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(lib)!);
            if (!File.Exists(lib)) File.Copy(m.Groups[1].Value, lib);
        }
    }
}
