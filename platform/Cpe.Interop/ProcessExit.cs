using System.Runtime.InteropServices;

namespace Cpe.Interop;

/// <summary>
/// Waits for any process to end, child or not, through a pidfd (pidfd_open(2), Linux 5.3): the way a restarted
/// daemon watches processes it did not start. The wait blocks a dedicated thread (poll(2) in 250 ms slices, so
/// cancellation is seen).
/// </summary>
public static partial class ProcessExit
{
    const long SYS_pidfd_open = 434;

    /// <summary>Completes when <paramref name="pid"/> has ended (at once if it already has).</summary>
    public static Task WaitAsync(int pid, CancellationToken ct)
    {
        int fd = (int)pidfd_open(SYS_pidfd_open, pid, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            const int ESRCH = 3;
            if (errno == ESRCH) return Task.CompletedTask;
            throw new LinuxException("pidfd_open", $"{pid}", errno);
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                while (!ct.IsCancellationRequested)
                    if (Libc.WaitReadable(fd, 250, $"pidfd of {pid}")) { done.TrySetResult(); return; }
                done.TrySetCanceled(ct);
            }
            catch (Exception e) { done.TrySetException(e); }
            finally { Libc.close(fd); }
        }) { IsBackground = true, Name = $"exit of {pid}" };
        thread.Start();
        return done.Task;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long pidfd_open(long number, int pid, uint flags);
}
