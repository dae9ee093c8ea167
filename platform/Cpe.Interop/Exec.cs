using System.Runtime.InteropServices;

namespace Cpe.Interop;

/// <summary>execve(2): replaces this process; returns only by throwing.</summary>
public static partial class Exec
{
    public static void Replace(string path, IReadOnlyList<string> args, IReadOnlyList<string> environment)
    {
        var argv = ToNative(args);
        var envp = ToNative(environment);
        try
        {
            unsafe
            {
                // Safe: both arrays are null-terminated vectors of NUL-terminated strings that live until the call fails.
                fixed (nint* a = argv) fixed (nint* e = envp) Libc.Check(execve(path, a, e), "execve", path);
            }
        }
        finally
        {
            foreach (var p in argv.Concat(envp)) if (p != 0) Marshal.FreeCoTaskMem(p);
        }
    }

    static nint[] ToNative(IReadOnlyList<string> strings)
    {
        var vector = new nint[strings.Count + 1];
        for (int i = 0; i < strings.Count; i++) vector[i] = Marshal.StringToCoTaskMemUTF8(strings[i]);
        return vector;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int execve(string path, nint* argv, nint* envp);
}
