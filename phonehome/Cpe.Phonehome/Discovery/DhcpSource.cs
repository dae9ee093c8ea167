using Cpe.Phonehome.Platform;

namespace Cpe.Phonehome.Discovery;

/// <summary>DHCPv4 option 143 as the platform's DHCP clients received it (cped's network.dhcp), in port order.</summary>
public sealed class DhcpSource(IAgentPlatform platform) : IBootstrapSource
{
    public string Name => "DHCP option 143";

    public async Task<IReadOnlyList<Candidate>> DiscoverAsync(CancellationToken ct)
    {
        var found = new List<Candidate>();
        foreach (var lease in await platform.DhcpLeasesAsync(ct))
        {
            if (lease.State != "bound") continue;
            foreach (var uri in lease.SztpBootstrapServers)
                if (Uri.TryCreate(uri, UriKind.Absolute, out var u) && u.Scheme == "https")
                    found.Add(new Candidate.Server(new BootstrapServer(u), $"{Name} on {lease.Port}"));
        }
        return found;
    }
}
