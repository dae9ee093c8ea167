using Cpe.Netlink;

namespace Cpe.Network.Dhcp;

/// <summary>Where a port's DHCP client is in RFC 2131's state machine, for "show dhcp client".</summary>
public enum DhcpState { Init, Selecting, Bound, Renewing, Rebinding, Stopped }

/// <summary>
/// Keeps a lease on one port for as long as it runs: takes the stored lease back if it is still valid
/// (and asks the server to confirm it), otherwise acquires one; renews at T1, rebinds at T2, starts
/// over when the lease runs out, releases it when stopped. Each change is saved and reported through
/// <see cref="LeaseChanged"/> (the owner puts the address and default route on the port).
/// </summary>
public sealed class DhcpKeeper : IAsyncDisposable
{
    readonly string _netdev, _leasePath;
    readonly Func<DhcpPacketSocket> _openSocket;
    readonly byte[] _mac;
    readonly TimeProvider _clock;
    readonly CancellationTokenSource _stop = new();
    Task? _loop;

    public DhcpKeeper(string netdev, byte[] mac, string leasePath, Func<DhcpPacketSocket> openSocket, TimeProvider clock)
    {
        _netdev = netdev;
        _mac = mac;
        _leasePath = leasePath;
        _openSocket = openSocket;
        _clock = clock;
        // A lease still valid from before a restart is in force at once, so the port keeps its address.
        var stored = DhcpLeaseFile.Load(leasePath);
        if (stored is not null && stored.ObtainedAt + stored.LeaseTime > clock.GetUtcNow())
        {
            Lease = stored;
            State = DhcpState.Bound;
        }
    }

    public string Netdev => _netdev;
    public DhcpLease? Lease { get; private set; }
    public DhcpState State { get; private set; } = DhcpState.Init;
    public string? LastError { get; private set; }

    /// <summary>Called with the new lease, or null when the lease was lost.</summary>
    public Action<DhcpLease?> LeaseChanged { get; set; } = _ => { };

    /// <summary>Wait before trying again after nobody answered.</summary>
    public TimeSpan RetryWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The client's first wait for an answer and its number of tries (<see cref="DhcpClient"/>).</summary>
    public TimeSpan FirstWait { get; init; } = TimeSpan.FromSeconds(1);
    public int Attempts { get; init; } = 5;

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    async Task RunAsync(CancellationToken ct)
    {
        using var socket = _openSocket();
        var client = new DhcpClient(socket, _mac, _clock) { FirstWait = FirstWait, Attempts = Attempts };
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (Lease is null)
                {
                    State = DhcpState.Selecting;
                    Bind(await client.AcquireAsync(ct));
                    continue;
                }
                var lease = Lease;
                var now = _clock.GetUtcNow();
                var renewAt = lease.ObtainedAt + lease.RenewAfter;
                var rebindAt = lease.ObtainedAt + lease.RebindAfter;
                var expiresAt = lease.ObtainedAt + lease.LeaseTime;
                if (now < renewAt && State == DhcpState.Bound) { await Task.Delay(renewAt - now, _clock, ct); State = DhcpState.Renewing; continue; }
                if (now >= expiresAt) { Lose("the lease expired"); continue; }
                try
                {
                    Bind(now < rebindAt ? await client.RenewAsync(lease, ct) : await client.RebindAsync(lease, ct));
                }
                catch (DhcpException e)
                {
                    LastError = e.Message;
                    if (e.Message.Contains("NAK", StringComparison.Ordinal)) { Lose(e.Message); continue; }
                    // No answer: keep the address, try again half-way to the next deadline (RFC 2131 §4.4.5), rebinding after T2.
                    var next = _clock.GetUtcNow() < rebindAt ? rebindAt : expiresAt;
                    State = _clock.GetUtcNow() < rebindAt ? DhcpState.Renewing : DhcpState.Rebinding;
                    var wait = TimeSpan.FromTicks(Math.Max((next - _clock.GetUtcNow()).Ticks / 2, TimeSpan.FromSeconds(1).Ticks));
                    await Task.Delay(wait, _clock, ct);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // No server, or the socket failed (the port vanished): say why, wait, try again.
                LastError = e.Message;
                State = Lease is null ? DhcpState.Init : State;
                await Task.Delay(RetryWait, _clock, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
        }
    }

    void Bind(DhcpLease lease)
    {
        Lease = lease;
        State = DhcpState.Bound;
        LastError = null;
        DhcpLeaseFile.Save(_leasePath, lease);
        LeaseChanged(lease);
    }

    void Lose(string why)
    {
        LastError = why;
        Lease = null;
        State = DhcpState.Init;
        DhcpLeaseFile.Delete(_leasePath);
        LeaseChanged(null);
    }

    /// <summary>Stops the client; with <paramref name="release"/>, gives the address back and forgets it (the port no longer uses DHCP).</summary>
    public async Task StopAsync(bool release)
    {
        _stop.Cancel();
        if (_loop is not null)
        {
            try { await _loop; } catch (OperationCanceledException) { }
        }
        State = DhcpState.Stopped;
        if (release && Lease is DhcpLease lease)
        {
            try
            {
                using var socket = _openSocket();
                new DhcpClient(socket, _mac, _clock).Release(lease);
            }
            catch (IOException e) { LastError = e.Message; }   // a netlink refusal or a failed send (LinuxExceptions) included
            DhcpLeaseFile.Delete(_leasePath);
            Lease = null;
            LeaseChanged(null);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(release: false);
}
