using Cpe.PacketIo.Protocols;

namespace Cpe.Vnfs.Router;

/// <summary>A route: the port it leaves by and the next hop (0: the destination itself, on a connected network).</summary>
public readonly record struct Route(int Port, uint Gateway);

/// <summary>
/// Longest-prefix match over one hash table per prefix length, probed from /32 down to /0: at most 33 lookups, no
/// allocation. Each port's own network is a connected route; static routes name a gateway on a connected network.
/// </summary>
public sealed class RouteTable
{
    readonly Dictionary<uint, Route>[] _byLength = Enumerable.Range(0, 33).Select(_ => new Dictionary<uint, Route>()).ToArray();
    readonly List<int> _lengths = [];

    public IReadOnlyList<uint> Addresses { get; }

    RouteTable(IReadOnlyList<uint> addresses) => Addresses = addresses;

    public void Add(uint network, int length, Route route)
    {
        uint mask = Mask(length);
        _byLength[length][network & mask] = route;
        if (!_lengths.Contains(length)) { _lengths.Add(length); _lengths.Sort((a, b) => b.CompareTo(a)); }
    }

    public bool TryLookup(uint destination, out Route route)
    {
        foreach (int length in _lengths)
            if (_byLength[length].TryGetValue(destination & Mask(length), out route)) return true;
        route = default;
        return false;
    }

    static uint Mask(int length) => length == 0 ? 0 : uint.MaxValue << (32 - length);

    /// <summary>"PORT=ADDRESS/LENGTH,…" for every port, and "PREFIX via GATEWAY; …".</summary>
    public static RouteTable Parse(IReadOnlyList<string> ports, string addresses, string routes)
    {
        var own = new uint[ports.Count];
        var connected = new List<(uint Network, int Length, int Port)>();
        foreach (var item in addresses.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (name, prefix) = item.Split('=') is [var n, var p] ? (n, p) : throw new FormatException($"ROUTER_ADDRESSES: '{item}' is not PORT=ADDRESS/LENGTH");
            int port = ports.ToList().IndexOf(name);
            if (port < 0) throw new FormatException($"ROUTER_ADDRESSES: there is no port {name}");
            var (address, length) = Prefix(prefix, "ROUTER_ADDRESSES");
            own[port] = address;
            connected.Add((address, length, port));
        }
        if (own.Any(a => a == 0)) throw new FormatException("ROUTER_ADDRESSES: every port needs an address");
        var table = new RouteTable(own);
        foreach (var (network, length, port) in connected) table.Add(network, length, new Route(port, 0));
        foreach (var item in routes.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var w = item.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (w.Length != 3 || w[1] != "via") throw new FormatException($"ROUTER_ROUTES: '{item}' is not PREFIX via GATEWAY");
            var (network, length) = Prefix(w[0], "ROUTER_ROUTES");
            uint gateway = Frame.ParseIp(w[2]);
            if (!table.TryLookup(gateway, out var toGateway) || toGateway.Gateway != 0)
                throw new FormatException($"ROUTER_ROUTES: gateway {w[2]} is not on a connected network");
            table.Add(network, length, new Route(toGateway.Port, gateway));
        }
        return table;
    }

    static (uint Address, int Length) Prefix(string text, string setting)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[1], out int length) || length is < 0 or > 32) throw new FormatException($"{setting}: '{text}' is not ADDRESS/LENGTH");
        return (Frame.ParseIp(parts[0]), length);
    }
}
