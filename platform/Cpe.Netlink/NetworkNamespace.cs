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
