using Microsoft.Win32.SafeHandles;
using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>
/// Waits for any process to end, child or not, through a pidfd (pidfd_open(2), Linux 5.3): the way a restarted
/// daemon watches processes it did not start. The wait blocks a dedicated thread (poll(2) in 250 ms slices, so
/// cancellation is seen).
/// </summary>
public static class ProcessExit
{
    const int SYS_pidfd_open = 434;

    /// <summary>Completes when <paramref name="pid"/> has ended (at once if it already has).</summary>
    public static Task WaitAsync(int pid, CancellationToken ct)
    {
        long rc = (ssize_t)LibC.syscall(SYS_pidfd_open, pid, 0);
        if (rc < 0)
        {
            int errno = Libc.Errno;
            if (errno == Libc.ESRCH) return Task.CompletedTask;
            throw new LinuxException("pidfd_open", $"{pid}", errno);
        }
        var pidfd = new SafeFileHandle((nint)rc, ownsHandle: true);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using var fd = new Descriptor(pidfd);
                while (!ct.IsCancellationRequested)
                    if (Libc.WaitReadable(fd.Fd, 250, $"pidfd of {pid}")) { done.TrySetResult(); return; }
                done.TrySetCanceled(ct);
            }
            catch (Exception e) { done.TrySetException(e); }
            finally { pidfd.Dispose(); }
        })
        { IsBackground = true, Name = $"exit of {pid}" };
        thread.Start();
        return done.Task;
    }
}
