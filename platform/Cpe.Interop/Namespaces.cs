using System.Runtime.InteropServices;

namespace Cpe.Interop;

/// <summary>
/// unshare(2) and setns(2). Namespaces belong to the calling thread: a launcher calls these on the thread that
/// later forks or execs, and nothing else.
/// </summary>
public static partial class Namespaces
{
    public const int CLONE_FS = 0x00000200, CLONE_NEWNS = 0x00020000, CLONE_NEWCGROUP = 0x02000000, CLONE_NEWUTS = 0x04000000,
        CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000;

    public static void Unshare(int flags) => Libc.Check(unshare(flags), "unshare", $"0x{flags:x}");

    /// <summary>Joins the namespace that <paramref name="path"/> (e.g. /run/netns/NAME or /proc/PID/ns/net) names.</summary>
    public static void Enter(string path, int type)
    {
        int fd = Libc.open(path, 0x80000 /* O_RDONLY | O_CLOEXEC */);
        Libc.Check(fd, "open", path);
        try { Libc.Check(setns(fd, type), "setns", path); }
        finally { Libc.close(fd); }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a new thread that first joins the namespace at <paramref name="path"/>, e.g. to
    /// create a socket in a VNF's network namespace (a socket keeps the namespace it was made in). The calling thread
    /// stays where it is.
    /// </summary>
    public static Task<T> RunInAsync<T>(string path, int type, Func<T> work)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try { Enter(path, type); result.SetResult(work()); }
            catch (Exception e) { result.SetException(e); }
        }) { IsBackground = true, Name = "in " + path };
        thread.Start();
        return result.Task;
    }

    [LibraryImport("libc", SetLastError = true)] private static partial int unshare(int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int setns(int fd, int type);
}
