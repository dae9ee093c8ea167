namespace Cpe.VendorServer.Storage;

/// <summary>
/// What a check-in reads, held in memory and read again from the database every <see cref="Period"/>: each device's
/// state, group, site and labels, every fleet configuration, the deployments, firmware images and sites. A check-in then
/// reads little from the database, so a PostgreSQL-backed instance answers at memory speed; several stateless instances
/// each keep their own. The price is staleness bounded by the period: a device revoked or a configuration changed
/// through another instance is seen up to one period later (changes made through this instance are seen at once). A
/// device not in the snapshot yet (enrolled a moment ago) is looked up in the database. Devices are read whole once,
/// then only those whose enrolment changed (a million devices are not read every second); a device removed through
/// another instance leaves this one's view at the next whole read (<see cref="WholeEvery"/>).
/// </summary>
public sealed class FleetSnapshot : IAsyncDisposable
{
    readonly ServerStore _store;
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;
    volatile View _view = View.Empty;
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, DeviceFacts> _devices = new(StringComparer.Ordinal);
    readonly Lock _reading = new();
    long _lastChange;
    DateTime _lastWhole, _lastNewChange;

    public static readonly TimeSpan WholeEvery = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Change numbers are taken in their transactions, which may commit out of order: for a while after changes were
    /// seen, the last <see cref="Overlap"/> numbers are read again, so one that committed late is not missed.
    /// </summary>
    const long Overlap = 20_000;
    static readonly TimeSpan OverlapFor = TimeSpan.FromSeconds(30);

    /// <summary>One consistent read of everything the check-in uses.</summary>
    public sealed record View(IReadOnlyDictionary<string, DeviceFacts> Devices, IReadOnlyDictionary<string, FleetConfig> Configs,
        IReadOnlyList<DeploymentRow> Deployments, IReadOnlyDictionary<string, FirmwareImage> Images, IReadOnlyDictionary<string, string> Sites,
        IReadOnlyDictionary<string, VnfPackageFile> VnfPackages)
    {
        public static readonly View Empty = new(new Dictionary<string, DeviceFacts>(), new Dictionary<string, FleetConfig>(), [],
            new Dictionary<string, FirmwareImage>(), new Dictionary<string, string>(), new Dictionary<string, VnfPackageFile>());

        public DeploymentRow? Deployment(long id) => Deployments.FirstOrDefault(d => d.Id == id);
    }

    public TimeSpan Period { get; }

    public FleetSnapshot(ServerStore store, TimeSpan period)
    {
        _store = store;
        Period = period;
        Refresh();
        _loop = Task.Run(LoopAsync);
    }

    public View Current => _view;

    /// <summary>Reads the database again now (after a change made through this instance).</summary>
    public void Refresh()
    {
        lock (_reading)
        {
            var now = DateTime.UtcNow;
            bool whole = _lastChange == 0 || now - _lastWhole > WholeEvery;
            long since = whole ? 0 : now - _lastNewChange < OverlapFor ? Math.Max(0, _lastChange - Overlap) : _lastChange;
            var (changed, last) = _store.DeviceFactsSince(since);
            // Unchanged devices keep their entry: a whole read of a million rows replaces nothing it need not.
            foreach (var (serial, facts) in changed)
            {
                var shared = Distinct(facts);
                if (!_devices.TryGetValue(serial, out var held) || !ReferenceEquals(held, shared)) _devices[serial] = shared;
            }
            if (whole)
            {
                // Every device read is held now; as many held as read means no other is (the usual case: nothing to remove).
                if (_devices.Count != changed.Count)
                {
                    var present = changed.Select(c => c.Serial).ToHashSet(StringComparer.Ordinal);
                    foreach (var serial in _devices.Keys) if (!present.Contains(serial)) _devices.TryRemove(serial, out _);
                }
                _lastWhole = now;
            }
            if (last > _lastChange) (_lastChange, _lastNewChange) = (last, now);
            _view = new View(_devices, _store.FleetConfigs(), _store.Deployments(limit: 10_000).Reverse().ToArray(),
                _store.Images().ToDictionary(i => i.Name, StringComparer.Ordinal), _store.Sites(),
                _store.VnfPackages().ToDictionary(p => p.Reference, StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// Identical facts are one object: a million devices share a few states, groups, sites and label sets, so the
    /// snapshot holds a reference per device instead of a copy. Up to <see cref="MaxDistinct"/> distinct ones are shared.
    /// </summary>
    DeviceFacts Distinct(DeviceFacts facts) =>
        _distinct.TryGetValue(facts, out var shared) ? shared : _distinct.Count < MaxDistinct ? _distinct.GetOrAdd(facts, facts) : facts;

    const int MaxDistinct = 100_000;
    readonly System.Collections.Concurrent.ConcurrentDictionary<DeviceFacts, DeviceFacts> _distinct = new(SameFacts.Instance);

    sealed class SameFacts : IEqualityComparer<DeviceFacts>
    {
        public static readonly SameFacts Instance = new();
        public bool Equals(DeviceFacts? a, DeviceFacts? b) => ReferenceEquals(a, b) || a is not null && b is not null
            && a.State == b.State && a.Group == b.Group && a.Site == b.Site && a.Labels.AsSpan().SequenceEqual(b.Labels);
        public int GetHashCode(DeviceFacts f) => HashCode.Combine(f.State, f.Group, f.Site, f.Labels.Length);
    }

    /// <summary>A device removed through this instance leaves its view at once.</summary>
    public void Forget(string serial) => _devices.TryRemove(serial, out _);

    /// <summary>The device's enrolment facts and the configuration it should have; null when the serial number is not enrolled.</summary>
    public (DeviceFacts Device, FleetConfig? Config)? CheckInView(string serial)
    {
        var view = _view;
        if (!view.Devices.TryGetValue(serial, out var device)) return _store.CheckInView(serial);
        var config = view.Configs.GetValueOrDefault("serial:" + serial)
            ?? (device.Group is string g ? view.Configs.GetValueOrDefault("group:" + g) : null);
        return (device, config);
    }

    async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Period, _stop.Token);
                Refresh();
            }
            catch (OperationCanceledException) { return; }
            catch (System.Data.Common.DbException) { }   // the database is away: keep serving the last view, try again next period
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
