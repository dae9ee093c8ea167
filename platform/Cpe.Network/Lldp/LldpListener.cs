using Cpe.PacketIo.Linux;

namespace Cpe.Network.Lldp;

/// <summary>A neighbour as a front port last heard it, kept until its TTL runs out.</summary>
public sealed record LldpNeighbor(string Netdev, LldpAdvertisement Advertisement, DateTimeOffset HeardAt, DateTimeOffset ExpiresAt);

/// <summary>
/// What each neighbour last said, per port, until its TTL runs out or it says TTL 0. Bounded, so a LAN host inventing
/// chassis IDs by the thousand cannot grow it: past the bound the entry closest to expiry gives way.
/// </summary>
public sealed class LldpTable(TimeProvider clock)
{
    public const int MaxNeighbors = 64;
    readonly Dictionary<(string Netdev, string Chassis, string Port), LldpNeighbor> _table = [];
    readonly Lock _gate = new();

    /// <summary>The neighbours heard and not expired, by port.</summary>
    public IReadOnlyList<LldpNeighbor> Neighbors()
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            foreach (var key in _table.Where(kv => kv.Value.ExpiresAt <= now).Select(kv => kv.Key).ToList()) _table.Remove(key);
            return [.. _table.Values.OrderBy(n => n.Netdev, StringComparer.Ordinal).ThenBy(n => n.Advertisement.ChassisId, StringComparer.Ordinal)];
        }
    }

    /// <summary>Takes in one frame heard on <paramref name="netdev"/>; anything but a well-formed LLDPDU is ignored.</summary>
    public void Hear(string netdev, ReadOnlySpan<byte> frame)
    {
        if (LldpFrame.Parse(frame) is not { } ad) return;
        var now = clock.GetUtcNow();
        var key = (netdev, ad.ChassisId, ad.PortId);
        lock (_gate)
        {
            if (ad.Ttl == 0) { _table.Remove(key); return; }
            if (!_table.ContainsKey(key) && _table.Count >= MaxNeighbors)
                _table.Remove(_table.MinBy(kv => kv.Value.ExpiresAt).Key);
            _table[key] = new LldpNeighbor(netdev, ad, now, now.AddSeconds(ad.Ttl));
        }
    }
}

/// <summary>
/// Listens for LLDP on the front ports (receive only: the box does not advertise itself) into an <see cref="LldpTable"/>,
/// on a thread of its own.
/// </summary>
public sealed class LldpListener : IDisposable
{
    readonly LinkLayerSocket _socket;
    readonly IReadOnlyDictionary<int, string> _ports;
    readonly Thread _thread;
    volatile bool _stopping;

    LldpListener(LinkLayerSocket socket, IReadOnlyDictionary<int, string> ports, TimeProvider clock)
    {
        (_socket, _ports, Table) = (socket, ports, new LldpTable(clock));
        _thread = new Thread(Run) { IsBackground = true, Name = "lldp" };
    }

    public LldpTable Table { get; }

    /// <summary>Starts listening on <paramref name="ports"/> (interface index to netdev): the front ports, which do not change while cped runs.</summary>
    public static LldpListener Start(IReadOnlyDictionary<int, string> ports, TimeProvider clock)
    {
        var socket = LinkLayerSocket.Open(LldpFrame.EtherType);
        try
        {
            foreach (int ifIndex in ports.Keys) socket.JoinMulticast(ifIndex, LldpFrame.Multicast);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var listener = new LldpListener(socket, ports, clock);
        listener._thread.Start();
        return listener;
    }

    void Run()
    {
        var buffer = new byte[2048];
        while (!_stopping)
        {
            try
            {
                if (_socket.Receive(buffer, 500) is var (length, ifIndex) && _ports.TryGetValue(ifIndex, out var netdev))
                    Table.Hear(netdev, buffer.AsSpan(0, length));
            }
            // A failing receive never takes cped down: try again in a second (or end, when stopping).
            catch (IOException) when (!_stopping) { Thread.Sleep(1000); }
            catch (IOException) { }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
        _socket.Dispose();
    }
}
