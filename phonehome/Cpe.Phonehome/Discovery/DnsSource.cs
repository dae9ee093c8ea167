using System.Net;
using Cpe.Phonehome.Platform;

namespace Cpe.Phonehome.Discovery;

/// <summary>
/// DNS as RFC 8572 §4.2 describes for bootstrap servers: SRV records at <c>_sztp._tcp.DOMAIN</c>, DOMAIN and the DNS
/// server from the DHCP lease; each target resolved (A) at the same server, in priority order. What DNS gives is
/// untrusted: these servers are provisional unless the factory's bootstrap anchors authenticate them.
/// </summary>
public sealed class DnsSource(IAgentPlatform platform, TimeSpan timeout) : IBootstrapSource
{
    public string Name => "DNS";

    public async Task<IReadOnlyList<Candidate>> DiscoverAsync(CancellationToken ct)
    {
        var found = new List<Candidate>();
        foreach (var lease in await platform.DhcpLeasesAsync(ct))
        {
            if (lease.State != "bound" || string.IsNullOrEmpty(lease.DomainName)) continue;
            foreach (var dns in lease.DnsServers.Select(IPAddress.Parse))
            {
                string service = $"_sztp._tcp.{lease.DomainName}";
                IReadOnlyList<SrvRecord> records;
                try { records = await DnsQuery.SrvAsync(dns, service, timeout, ct); }
                catch (IOException) { continue; }   // this server did not answer: the lease's next one
                foreach (var srv in records)
                {
                    var addresses = IPAddress.TryParse(srv.Target, out var literal) ? [literal] : await DnsQuery.AAsync(dns, srv.Target, timeout, ct);
                    foreach (var address in addresses)
                        found.Add(new Candidate.Server(new BootstrapServer(new Uri($"https://{address}:{srv.Port}")), $"{Name} {service} → {srv.Target}"));
                }
                break;
            }
        }
        return found;
    }
}
