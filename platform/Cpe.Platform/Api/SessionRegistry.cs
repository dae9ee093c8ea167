using Cpe.Api;
using Cpe.Platform.Configuration;

namespace Cpe.Platform.Api;

/// <summary>The open API sessions, for "show system users" and for numbering sessions.</summary>
public sealed class SessionRegistry
{
    readonly Lock _gate = new();
    readonly Dictionary<int, ApiSession> _sessions = [];
    int _next;

    public int NextId() => Interlocked.Increment(ref _next);

    public void Add(ApiSession s) { lock (_gate) _sessions[s.Id] = s; }
    public void Remove(ApiSession s) { lock (_gate) _sessions.Remove(s.Id); }

    public SessionInfo[] Describe(ConfigEngine engine, DateTimeOffset now)
    {
        lock (_gate)
            return _sessions.Values.OrderBy(s => s.Id).Select(s =>
            {
                var (exclusive, _, _) = engine.Status(s.Id);
                string mode = !engine.IsEditing(s.Id) ? "operational" : exclusive ? "configure exclusive" : "configure";
                return new SessionInfo(s.Id, s.User, RoleResolver.Name(s.Role), s.Peer.Pid, s.Client, s.ConnectedAt,
                    Math.Round((now - s.LastActivity).TotalSeconds, 1), mode);
            }).ToArray();
    }
}
