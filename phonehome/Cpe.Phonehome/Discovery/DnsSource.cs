using System.Net;
using Cpe.Phonehome.Platform;
using Cpe.Sztp;

namespace Cpe.Phonehome.Discovery;

/// <summary>
/// DNS as RFC 8572 §4.2 describes: first multicast DNS on the link (domain <c>local</c>), then each bound DHCP lease's
/// DNS servers with its domain. In each, this device's own TXT records at <c>SERIAL._sztp.DOMAIN</c> (conveyed
/// information, owner certificate and voucher, see <see cref="SztpDnsTxt"/>), then the bootstrap servers' SRV records
/// at <c>_sztp._tcp.DOMAIN</c>, each target resolved (A) the same way, in priority order. mDNS responders (Avahi,
/// python-zeroconf) publish services the DNS-SD way, so there a PTR at <c>_sztp._tcp.local</c> naming instances with
/// their own SRV is followed too. What DNS gives is untrusted: its conveyed information must be signed, and its servers
/// are provisional unless the factory's bootstrap anchors authenticate them.
/// </summary>
public sealed class DnsSource(IAgentPlatform platform, string serialNumber, TimeSpan timeout) : IBootstrapSource
{
    public string Name => "DNS";

    /// <summary>How long mDNS questions wait: responders answer one-shot queries at once (RFC 6762 §6.7), and a link without one must not hold every round.</summary>
    public TimeSpan MulticastWait { get; init; } = TimeSpan.FromSeconds(1);

    public async Task<IReadOnlyList<Candidate>> DiscoverAsync(CancellationToken ct)
    {
        var found = new List<Candidate>();
        var leases = (await platform.DhcpLeasesAsync(ct)).Where(l => l.State == "bound").ToList();
        if (leases.Count > 0) found.AddRange(await MulticastAsync(ct));   // a link with an address: ask it
        foreach (var lease in leases)
        {
            if (string.IsNullOrEmpty(lease.DomainName)) continue;
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

    /// <summary>The three mDNS questions at once, each bounded by <see cref="MulticastWait"/>; silence is "nothing here".</summary>
    async Task<List<Candidate>> MulticastAsync(CancellationToken ct)
    {
        var dns = DnsQuery.Multicast;
        async Task<T?> Quietly<T>(Func<Task<T>> ask)
        {
            try { return await ask(); }
            catch (Exception e) when (e is IOException or FormatException) { return default; }
        }
        var device = Quietly(() => DeviceRecordsAsync(dns, "local", ct, MulticastWait));
        var servers = Quietly(() => ServersAsync(dns, "local", ct, MulticastWait));
        var instances = Quietly(() => DnsQuery.PtrAsync(dns, "_sztp._tcp.local", MulticastWait, ct));
        var found = new List<Candidate>();
        if (await device is Candidate artifacts) found.Add(artifacts);
        found.AddRange(await servers ?? []);
        foreach (var instance in await instances ?? [])
            found.AddRange(await Quietly(() => ServersAsync(dns, instance, ct, MulticastWait, service: instance)) ?? []);
        return found;
    }

    async Task<Candidate?> DeviceRecordsAsync(IPAddress dns, string domain, CancellationToken ct, TimeSpan? wait = null)
    {
        if (SztpDnsTxt.RecordName(serialNumber, domain) is not string name) return null;
        IReadOnlyList<byte[]> records;
        // A server that refuses or fails this name may still know the SRV records; one that does not answer is skipped.
        try { records = await DnsQuery.TxtAsync(dns, name, wait ?? timeout, ct); }
        catch (DnsErrorAnswerException) { return null; }
        var pairs = new Dictionary<string, byte[]>();
        foreach (var record in records)
            if (SztpDnsTxt.Decode(record) is var (key, value)) pairs.TryAdd(key, value);   // other TXT records at the name are not ours to read
        return pairs.TryGetValue(SztpDnsTxt.ConveyedInformation, out var conveyed)
            ? new Candidate.LocalArtifacts(conveyed, pairs.GetValueOrDefault(SztpDnsTxt.OwnerCertificate), pairs.GetValueOrDefault(SztpDnsTxt.OwnershipVoucher), $"{Label(dns)} {name}")
            : null;
    }

    /// <param name="service">The SRV name: <c>_sztp._tcp.DOMAIN</c> unless given (a DNS-SD instance).</param>
    async Task<List<Candidate>> ServersAsync(IPAddress dns, string domain, CancellationToken ct, TimeSpan? wait = null, string? service = null)
    {
        service ??= $"_sztp._tcp.{domain}";
        var found = new List<Candidate>();
        foreach (var srv in await DnsQuery.SrvAsync(dns, service, wait ?? timeout, ct))
        {
            var addresses = IPAddress.TryParse(srv.Target, out var literal) ? [literal] : await DnsQuery.AAsync(dns, srv.Target, wait ?? timeout, ct);
            foreach (var address in addresses)
                found.Add(new Candidate.Server(new BootstrapServer(new Uri($"https://{address}:{srv.Port}")), $"{Label(dns)} {service} → {srv.Target}"));
        }
        return found;
    }

    string Label(IPAddress dns) => dns.Equals(DnsQuery.Multicast) ? "mDNS" : Name;
}
