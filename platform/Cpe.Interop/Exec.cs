using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>execve(2): replaces this process; returns only by throwing.</summary>
public static class Exec
{
    public static unsafe void Replace(string path, IReadOnlyList<string> args, IReadOnlyList<string> environment)
    {
        byte[] file = Libc.Utf8z(path);
        var argv = ToNative(args);
        var envp = ToNative(environment);
        try
        {
            // SAFETY: the path is pinned and NUL-terminated; both vectors are null-terminated arrays of NUL-terminated
            // strings in unmanaged memory that lives until the call fails (on success nothing of this process is left).
            fixed (byte* f = file) fixed (nint* a = argv) fixed (nint* e = envp)
                Libc.Check(LibC.execve(f, (byte**)a, (byte**)e), "execve", path);
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
}
