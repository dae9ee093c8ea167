using System.Runtime.ExceptionServices;
using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>
/// unshare(2) and setns(2), and the one way the platform does work inside another namespace: on a short-lived thread
/// of its own that joins it first, so no pooled thread ever changes namespace. Namespaces belong to the calling
/// thread: a launcher calls <see cref="Unshare"/> and <see cref="Enter"/> on the thread that later forks or execs.
/// A socket or tap made on such a thread keeps the namespace it was made in.
/// </summary>
public static class Namespaces
{
    public const int CLONE_FS = 0x00000200, CLONE_NEWNS = 0x00020000, CLONE_NEWCGROUP = 0x02000000, CLONE_NEWUTS = 0x04000000,
        CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000;

    public static void Unshare(int flags) => Libc.Check(LibC.unshare(flags), "unshare", $"0x{flags:x}");

    /// <summary>Joins, on the calling thread, the namespace that <paramref name="path"/> (e.g. /run/netns/NAME or /proc/PID/ns/net) names.</summary>
    public static void Enter(string path, int type)
    {
        using var handle = Files.Open(path, Libc.O_RDONLY);
        using var fd = new Descriptor(handle);
        Libc.Check(LibC.setns(fd.Fd, type), "setns", path);
    }

    /// <summary>Runs <paramref name="work"/> on a new thread that first joins the namespace at <paramref name="path"/>, and waits for it.</summary>
    public static T Run<T>(string path, int type, Func<T> work) => OnOwnThread("in " + path, () =>
    {
        Enter(path, type);
        return work();
    });

    /// <summary>Runs <paramref name="work"/> on a new thread inside the network namespace at <paramref name="path"/> (e.g. to write its /proc/sys/net).</summary>
    public static void RunInNetwork(string path, Action work) => Run(path, CLONE_NEWNET, () => { work(); return 0; });

    /// <summary>
    /// Runs <paramref name="work"/> on a new thread that first joins the namespace at <paramref name="path"/>, e.g. to
    /// create a socket in a VNF's network namespace. The calling thread stays where it is and does not wait.
    /// </summary>
    public static Task<T> RunInAsync<T>(string path, int type, Func<T> work)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try { Enter(path, type); result.SetResult(work()); }
            catch (Exception e) { result.SetException(e); }
        })
        { IsBackground = true, Name = "in " + path };
        thread.Start();
        return result.Task;
    }

    /// <summary>Runs <paramref name="work"/> on a new thread that first unshares <paramref name="flags"/>, and waits for it.</summary>
    public static void RunUnshared(int flags, Action work) => OnOwnThread("unshared", () =>
    {
        Unshare(flags);
        work();
        return 0;
    });

    /// <summary>Runs <paramref name="work"/> on a new thread that ends with it, waits, and rethrows what it threw.</summary>
    static T OnOwnThread<T>(string name, Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try { result = work(); }
            catch (Exception e) { failure = ExceptionDispatchInfo.Capture(e); }
        })
        { Name = name };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }
}
