namespace Cpe.Platform.Api;

/// <summary>
/// Counts the API connections each peer holds and decides whether one more may open. Root and the phone-home
/// agent draw on a pool of their own; every other uid has a share of the unprivileged pool.
/// </summary>
public sealed class ConnectionGate(ApiLimits limits)
{
    readonly Lock _gate = new();
    readonly Dictionary<uint, int> _perUid = [];
    int _privileged, _unprivileged;

    /// <summary>A held place; disposing it gives the place back (once).</summary>
    public sealed class Lease(ConnectionGate owner, uint uid, bool privileged) : IDisposable
    {
        int _released;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) owner.Release(uid, privileged);
        }
    }

    /// <summary>A lease, or null with the reason the connection is refused.</summary>
    public Lease? TryEnter(uint uid, bool privileged, out string? refusal)
    {
        lock (_gate)
        {
            if (privileged)
            {
                if (_privileged >= limits.PrivilegedConnections)
                {
                    refusal = $"root and the phone-home agent hold {_privileged} connections, the limit";
                    return null;
                }
                _privileged++;
            }
            else
            {
                int mine = _perUid.GetValueOrDefault(uid);
                if (mine >= limits.ConnectionsPerUser)
                {
                    refusal = $"uid {uid} holds {mine} connections, the limit per user";
                    return null;
                }
                if (_unprivileged >= limits.UnprivilegedConnections)
                {
                    refusal = $"unprivileged users hold {_unprivileged} connections, the limit";
                    return null;
                }
                _perUid[uid] = mine + 1;
                _unprivileged++;
            }
            refusal = null;
            return new Lease(this, uid, privileged);
        }
    }

    void Release(uint uid, bool privileged)
    {
        lock (_gate)
        {
            if (privileged) { _privileged--; return; }
            _unprivileged--;
            if (--_perUid[uid] == 0) _perUid.Remove(uid);
        }
    }
}
