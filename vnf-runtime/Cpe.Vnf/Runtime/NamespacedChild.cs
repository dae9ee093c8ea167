using System.Diagnostics;
using System.Runtime.InteropServices;
using Cpe.Interop;

namespace Cpe.Vnf.Runtime;

/// <summary>
/// A child born in a PID namespace other than ours (the VNF's new one for run, its existing one for exec), with the
/// given signals to this process passed on to it. The signal registrations come first: they start the runtime's
/// signal thread, which this thread could not start while its PID namespace for children differs from its own
/// (clone refuses CLONE_THREAD then). Once the child is started, the thread goes back to its own namespace for
/// children, so it may start threads (pipes, waits) again.
/// </summary>
sealed class NamespacedChild : IDisposable
{
    readonly PosixSignalRegistration[] _forwarding;
    int _pid;

    public Process Process { get; }

    /// <param name="enterForChildren">Sets this thread's PID namespace for children (an unshare or a setns).</param>
    public NamespacedChild(ProcessStartInfo start, Action enterForChildren, params PosixSignal[] forwarded)
    {
        _forwarding = forwarded.Select(s => PosixSignalRegistration.Create(s, c => { c.Cancel = true; if (_pid > 0) Signals.Terminate(_pid); })).ToArray();
        try
        {
            enterForChildren();
            try { Process = Process.Start(start)!; }
            finally { Namespaces.Enter("/proc/thread-self/ns/pid", Namespaces.CLONE_NEWPID); }
        }
        catch
        {
            foreach (var r in _forwarding) r.Dispose();
            throw;
        }
        _pid = Process.Id;
    }

    public void Dispose()
    {
        foreach (var r in _forwarding) r.Dispose();
        Process.Dispose();
    }
}
