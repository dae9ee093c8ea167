using Microsoft.Extensions.Logging;

namespace Cpe.Platform.Api;

/// <summary>What went wrong with a connection before it became a session.</summary>
public enum RefusalKind { AcceptFailed, Refused, FailedBeforeSession }

/// <summary>
/// Refused connections and failed accepts, logged at most once a second per kind with a count of the ones in
/// between, so that a flood of connections cannot also flood the log. Per kind, because one kind must not hide
/// another: a flood of refusals would otherwise hide that cped had run out of descriptors.
/// </summary>
public sealed class RefusalLog(ILogger log, TimeProvider clock)
{
    static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    readonly Lock _gate = new();
    readonly Window[] _windows = new Window[Enum.GetValues<RefusalKind>().Length];

    struct Window
    {
        public long Last;
        public bool Logged;
        public int Suppressed;
    }

    public void Note(RefusalKind kind, string problem)
    {
        int suppressed;
        lock (_gate)
        {
            ref var w = ref _windows[(int)kind];
            long now = clock.GetTimestamp();
            if (w.Logged && clock.GetElapsedTime(w.Last, now) < Quiet)
            {
                w.Suppressed++;
                return;
            }
            (suppressed, w.Suppressed, w.Last, w.Logged) = (w.Suppressed, 0, now, true);
        }
        Log.ConnectionProblem(log, problem, suppressed);
    }
}
