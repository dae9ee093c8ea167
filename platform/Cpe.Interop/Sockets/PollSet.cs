using Tmds.Linux;

namespace Cpe.Interop;

/// <summary>
/// Waits on several sockets at once (poll(2)), for a loop that serves a fixed set of them — a VNF's ports. The sockets'
/// descriptors are held for the set's life, so none can be closed and reused under a wait; nothing is allocated per wait.
/// </summary>
public sealed class PollSet : IDisposable
{
    readonly KernelSocket[] _sockets;
    readonly pollfd[] _polls;
    readonly bool[] _held;
    readonly string _name;

    /// <summary>A set that waits for any of <paramref name="sockets"/> to have input.</summary>
    public PollSet(IReadOnlyList<KernelSocket> sockets)
    {
        _sockets = [.. sockets];
        _polls = new pollfd[_sockets.Length];
        _held = new bool[_sockets.Length];
        _name = $"{_sockets.Length} sockets";
        try
        {
            for (int i = 0; i < _sockets.Length; i++)
            {
                _sockets[i].Handle.DangerousAddRef(ref _held[i]);
                _polls[i] = new pollfd { fd = (int)_sockets[i].Handle.DangerousGetHandle(), events = LibC.POLLIN };
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for input on any socket; the number ready (0 on a timeout or a signal).</summary>
    public int Wait(int timeoutMs) => Libc.Poll(_polls, timeoutMs, _name);   // every descriptor held open until Dispose

    public void Dispose()
    {
        for (int i = 0; i < _sockets.Length; i++)
            if (_held[i]) { _held[i] = false; _sockets[i].Handle.DangerousRelease(); }
    }
}
