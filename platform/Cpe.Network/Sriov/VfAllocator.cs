namespace Cpe.Network.Sriov;

/// <summary>A VF handed to a consumer (later: a VNF's interface).</summary>
public sealed record VfAssignment(string Pf, int Vf, string Consumer);

/// <summary>
/// Hands out the VFs of each PF to consumers: never the same VF twice, the lowest free one first, and a
/// clear error naming the PF and its owners when none is left. State is the caller's to persist
/// (<see cref="Assignments"/>, <see cref="Restore"/>), so allocations survive a daemon restart.
/// </summary>
public sealed class VfAllocator
{
    readonly Lock _gate = new();
    readonly Dictionary<(string Pf, int Vf), string> _owners = [];
    readonly Func<string, int> _vfCount;

    /// <param name="vfCount">How many VFs a PF has now (e.g. <see cref="SriovSysfs.NumVfs"/>).</param>
    public VfAllocator(Func<string, int> vfCount) => _vfCount = vfCount;

    public IReadOnlyList<VfAssignment> Assignments
    {
        get { lock (_gate) return _owners.Select(o => new VfAssignment(o.Key.Pf, o.Key.Vf, o.Value)).OrderBy(a => a.Pf, StringComparer.Ordinal).ThenBy(a => a.Vf).ToList(); }
    }

    /// <summary>Allocates a free VF of <paramref name="pf"/>; a consumer that already holds one on that PF gets the same one back.</summary>
    public VfAssignment Allocate(string pf, string consumer)
    {
        lock (_gate)
        {
            foreach (var (key, owner) in _owners)
                if (key.Pf == pf && owner == consumer) return new VfAssignment(pf, key.Vf, consumer);
            int count = _vfCount(pf);
            for (int vf = 0; vf < count; vf++)
            {
                if (_owners.ContainsKey((pf, vf))) continue;
                _owners[(pf, vf)] = consumer;
                return new VfAssignment(pf, vf, consumer);
            }
            var holders = _owners.Where(o => o.Key.Pf == pf).OrderBy(o => o.Key.Vf).Select(o => $"vf {o.Key.Vf}: {o.Value}");
            throw new SriovException(count == 0
                ? $"{pf} has no virtual functions; set 'sriov {pf} vf-count' first"
                : $"{pf} has no free virtual function for {consumer}: all {count} are in use ({string.Join(", ", holders)})");
        }
    }

    /// <summary>Takes back every VF a consumer holds.</summary>
    public int Release(string consumer)
    {
        lock (_gate)
        {
            var held = _owners.Where(o => o.Value == consumer).Select(o => o.Key).ToList();
            foreach (var key in held) _owners.Remove(key);
            return held.Count;
        }
    }

    /// <summary>Re-installs persisted assignments (at start); refuses a VF claimed twice.</summary>
    public void Restore(IEnumerable<VfAssignment> assignments)
    {
        lock (_gate)
        {
            foreach (var a in assignments)
            {
                if (_owners.TryGetValue((a.Pf, a.Vf), out var owner) && owner != a.Consumer)
                    throw new SriovException($"{a.Pf} vf {a.Vf} is claimed by both {owner} and {a.Consumer}");
                _owners[(a.Pf, a.Vf)] = a.Consumer;
            }
        }
    }
}
