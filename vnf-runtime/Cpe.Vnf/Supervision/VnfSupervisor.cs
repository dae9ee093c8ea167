namespace Cpe.Vnf.Supervision;

/// <summary>
/// Runs the box's VNF instances (docs/reference/vnf-supervisor.md). Starting an instance that a previous cped left
/// running adopts it; disposing lets every VNF run on (cped stopping must not stop traffic); only
/// <see cref="StopAsync"/> stops one.
/// </summary>
public sealed class VnfSupervisor(SupervisorOptions options, Action<VnfEvent> events) : IAsyncDisposable
{
    readonly Dictionary<string, VnfInstance> _instances = new(StringComparer.Ordinal);
    readonly SemaphoreSlim _gate = new(1, 1);

    public SupervisorOptions Options => options;

    /// <summary>Starts (or adopts) <paramref name="launch"/>; an instance already supervised is left as it is.</summary>
    public async Task StartAsync(VnfLaunch launch)
    {
        await _gate.WaitAsync();
        try
        {
            if (_instances.ContainsKey(launch.Instance)) return;
            var instance = new VnfInstance(launch, options, events);
            _instances[launch.Instance] = instance;
            instance.Start();
        }
        finally { _gate.Release(); }
    }

    public async Task StopAsync(string name)
    {
        VnfInstance? instance;
        await _gate.WaitAsync();
        try
        {
            if (!_instances.Remove(name, out instance)) return;
        }
        finally { _gate.Release(); }
        bool wasFailed = instance.Status().State == VnfState.Failed;
        await instance.StopAsync();
        if (wasFailed) events(new VnfEvent(name, "recovered", $"{name}: stopped; its crash-loop alarm is cleared"));
    }

    /// <summary>Stops and starts again with a clean restart count (also the way out of a crash loop).</summary>
    public async Task RestartAsync(string name)
    {
        VnfLaunch launch;
        await _gate.WaitAsync();
        try
        {
            launch = _instances.TryGetValue(name, out var instance) ? instance.Launch : throw new KeyNotFoundException($"no VNF instance {name}");
        }
        finally { _gate.Release(); }
        await StopAsync(name);
        await StartAsync(launch);
    }

    public IReadOnlyList<VnfStatus> Status()
    {
        _gate.Wait();
        try { return _instances.Values.Select(i => i.Status()).OrderBy(s => s.Instance, StringComparer.Ordinal).ToList(); }
        finally { _gate.Release(); }
    }

    public string? LogFile(string name)
    {
        _gate.Wait();
        try { return _instances.TryGetValue(name, out var i) ? i.LogFile : null; }
        finally { _gate.Release(); }
    }

    /// <summary>Lets go of every VNF without stopping it: the next supervisor adopts them.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        var all = _instances.Values.ToList();
        _instances.Clear();
        _gate.Release();
        await Task.WhenAll(all.Select(i => i.AbandonAsync()));
    }
}
