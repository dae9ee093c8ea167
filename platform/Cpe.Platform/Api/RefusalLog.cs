using Microsoft.Extensions.Logging;

namespace Cpe.Platform.Api;

/// <summary>
/// Refused connections and failed accepts, logged at most once a second with a count of the ones in between,
/// so that a flood of connections cannot also flood the log.
/// </summary>
sealed class RefusalLog(ILogger log, TimeProvider clock)
{
    static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    readonly Lock _gate = new();
    long _last;
    bool _logged;
    int _suppressed;

    public void Note(string problem)
    {
        int suppressed;
        lock (_gate)
        {
            long now = clock.GetTimestamp();
            if (_logged && clock.GetElapsedTime(_last, now) < Quiet)
            {
                _suppressed++;
                return;
            }
            (suppressed, _suppressed, _last, _logged) = (_suppressed, 0, now, true);
        }
        Log.ConnectionProblem(log, problem, suppressed);
    }
}
