using System.Net;
using Cpe.Phonehome.Platform;
using Cpe.Sztp;

namespace Cpe.Phonehome.Discovery;

/// <summary>
/// DNS as RFC 8572 §4.2 describes, with DOMAIN and the DNS server from the DHCP lease: first this device's own TXT
/// records at <c>SERIAL._sztp.DOMAIN</c> (conveyed information, owner certificate and voucher, see
/// <see cref="SztpDnsTxt"/>), then the bootstrap servers' SRV records at <c>_sztp._tcp.DOMAIN</c>, each target resolved
/// (A) at the same server, in priority order. What DNS gives is untrusted: its conveyed information must be signed, and
/// its servers are provisional unless the factory's bootstrap anchors authenticate them. Multicast DNS is not asked.
/// </summary>
public sealed class DnsSource(IAgentPlatform platform, string serialNumber, TimeSpan timeout) : IBootstrapSource
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
                try
                {
                    if (await DeviceRecordsAsync(dns, lease.DomainName, ct) is Candidate artifacts) found.Add(artifacts);
                    found.AddRange(await ServersAsync(dns, lease.DomainName, ct));
                }
                catch (Exception e) when (e is IOException or FormatException) { continue; }   // this server did not answer well: the lease's next one
                break;
            }
        }
        return found;
    }

    async Task<Candidate?> DeviceRecordsAsync(IPAddress dns, string domain, CancellationToken ct)
    {
        if (SztpDnsTxt.RecordName(serialNumber, domain) is not string name) return null;
        IReadOnlyList<byte[]> records;
        // A server that refuses or fails this name may still know the SRV records; one that does not answer is skipped.
        try { records = await DnsQuery.TxtAsync(dns, name, timeout, ct); }
        catch (DnsErrorAnswerException) { return null; }
        var pairs = new Dictionary<string, byte[]>();
        foreach (var record in records)
            if (SztpDnsTxt.Decode(record) is var (key, value)) pairs.TryAdd(key, value);   // other TXT records at the name are not ours to read
        return pairs.TryGetValue(SztpDnsTxt.ConveyedInformation, out var conveyed)
            ? new Candidate.LocalArtifacts(conveyed, pairs.GetValueOrDefault(SztpDnsTxt.OwnerCertificate), pairs.GetValueOrDefault(SztpDnsTxt.OwnershipVoucher), $"{Name} {name}")
            : null;
    }

    async Task<List<Candidate>> ServersAsync(IPAddress dns, string domain, CancellationToken ct)
    {
        string service = $"_sztp._tcp.{domain}";
        var found = new List<Candidate>();
        foreach (var srv in await DnsQuery.SrvAsync(dns, service, timeout, ct))
        {
            var addresses = IPAddress.TryParse(srv.Target, out var literal) ? [literal] : await DnsQuery.AAsync(dns, srv.Target, timeout, ct);
            foreach (var address in addresses)
                found.Add(new Candidate.Server(new BootstrapServer(new Uri($"https://{address}:{srv.Port}")), $"{Name} {service} → {srv.Target}"));
        }
        return found;
    }
}
