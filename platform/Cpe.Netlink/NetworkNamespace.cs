using Tmds.Linux;

namespace Cpe.Netlink;

/// <summary>Descriptors bound to another network namespace: a socket keeps the namespace it was created in.</summary>
public static class NetworkNamespace
{
    /// <summary>
    /// Runs <paramref name="createSocket"/> on a short-lived thread that enters the namespace first and
    /// leaves it after; no pooled thread ever changes namespace.
    /// </summary>
    public static int CreateIn(string namespacePath, Func<int> createSocket)
    {
        int fd = -1;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var target = File.OpenHandle(namespacePath);
                using var home = File.OpenHandle("/proc/thread-self/ns/net");
                if (LibC.setns((int)target.DangerousGetHandle(), Kernel.CLONE_NEWNET) != 0)
                    throw new NetlinkException(LibC.errno, "setns", namespacePath);
                try { fd = createSocket(); }
                finally { LibC.setns((int)home.DangerousGetHandle(), Kernel.CLONE_NEWNET); }
            }
            catch (Exception e) { failure = e; }
        }) { Name = "setns" };
        thread.Start();
        thread.Join();
        if (failure is not null) throw failure;
        return fd;
    }
}

/// <summary>Network namespaces kept alive by a bind mount of their nsfs file, as "ip netns add" makes them.</summary>
public static class NamedNetworkNamespace
{
    const ulong MS_BIND = 4096;
    const int MNT_DETACH = 2;

    /// <summary>Whether <paramref name="path"/> holds a namespace (a mount of nsfs), not just a file left from before a reboot.</summary>
    public static bool Exists(string path) =>
        File.Exists(path) && File.ReadLines("/proc/self/mountinfo").Any(line => line.Split(' ') is { Length: > 8 } f && f[4] == path && line.Contains(" - nsfs ", StringComparison.Ordinal));

    /// <summary>Creates a new, empty network namespace at <paramref name="path"/>; one already there is kept.</summary>
    public static unsafe void Create(string path)
    {
        if (Exists(path)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
        Exception? failure = null;
        // A thread of its own unshares, so that no pooled thread ever changes namespace; it ends right after.
        var thread = new Thread(() =>
        {
            try
            {
                if (LibC.unshare(Kernel.CLONE_NEWNET) != 0) throw new NetlinkException(LibC.errno, "unshare(CLONE_NEWNET)", path);
                byte[] source = System.Text.Encoding.UTF8.GetBytes("/proc/thread-self/ns/net\0"), target = System.Text.Encoding.UTF8.GetBytes(path + "\0");
                fixed (byte* s = source, t = target)
                    if (LibC.mount(s, t, null, (ulong_t)MS_BIND, null) != 0) throw new NetlinkException(LibC.errno, "mount --bind", path);
            }
            catch (Exception e) { failure = e; }
        }) { Name = "netns-create" };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            File.Delete(path);
            throw failure;
        }
    }

    /// <summary>Unmounts and removes the namespace's file; the kernel frees the namespace once nothing is in it.</summary>
    public static unsafe void Delete(string path)
    {
        if (!File.Exists(path)) return;
        byte[] target = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* t = target) LibC.umount2(t, MNT_DETACH);
        File.Delete(path);
    }

    /// <summary>Runs <paramref name="work"/> on a short-lived thread inside the namespace (e.g. to write its /proc/sys/net).</summary>
    public static void Run(string path, Action work)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var target = File.OpenHandle(path);
                if (LibC.setns((int)target.DangerousGetHandle(), Kernel.CLONE_NEWNET) != 0) throw new NetlinkException(LibC.errno, "setns", path);
                work();
            }
            catch (Exception e) { failure = e; }
        }) { Name = "netns-run" };
        thread.Start();
        thread.Join();
        if (failure is not null) throw failure;
    }
}
