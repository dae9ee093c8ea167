namespace Cpe.VendorServer.Storage;

/// <summary>
/// What a check-in reads, held in memory and read again from the database every <see cref="Period"/>: each device's
/// state, group, site and labels, every fleet configuration, the deployments, firmware images and sites. A check-in then
/// reads little from the database, so a PostgreSQL-backed instance answers at memory speed; several stateless instances
/// each keep their own. The price is staleness bounded by the period: a device revoked or a configuration changed
/// through another instance is seen up to one period later (changes made through this instance are seen at once). A
/// device not in the snapshot yet (enrolled a moment ago) is looked up in the database.
/// </summary>
public sealed class FleetSnapshot : IAsyncDisposable
{
    readonly ServerStore _store;
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;
    volatile View _view = View.Empty;

    /// <summary>One consistent read of everything the check-in uses.</summary>
    public sealed record View(IReadOnlyDictionary<string, DeviceFacts> Devices, IReadOnlyDictionary<string, FleetConfig> Configs,
        IReadOnlyList<DeploymentRow> Deployments, IReadOnlyDictionary<string, FirmwareImage> Images, IReadOnlyDictionary<string, string> Sites)
    {
        public static readonly View Empty = new(new Dictionary<string, DeviceFacts>(), new Dictionary<string, FleetConfig>(), [],
            new Dictionary<string, FirmwareImage>(), new Dictionary<string, string>());

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
        _view = new View(_store.AllDeviceFacts(), _store.FleetConfigs(), _store.Deployments(limit: 10_000).Reverse().ToArray(),
            _store.Images().ToDictionary(i => i.Name, StringComparer.Ordinal), _store.Sites());
    }

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
