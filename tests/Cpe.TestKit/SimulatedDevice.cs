using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cpe.Sztp;
using Cpe.Sztp.Tls;

namespace Cpe.TestKit;

/// <summary>
/// A device that speaks the fleet check-in (docs/reference/fleet-checkin.md) over real mTLS with its own IDevID, and
/// answers like cpe-phonehome does, minus the box: a configuration revision above the one it runs is "committed
/// confirmed" and confirmed by the next check-in (or refused, when <see cref="RefuseConfiguration"/>); a firmware other
/// than the running one is "installed" and booted (or it falls back, when <see cref="FallBackFrom"/> names it); a
/// restore puts back the fleet revision it ran before. What it reports is only what it then runs. For the deployment
/// tests, the UI test and the bench, where a fleet of real boxes does not fit on one machine.
/// </summary>
public sealed class SimulatedDevice(string serial, X509Certificate2 idevid, X509Certificate2 owner, string model = "sim")
{
    public string Serial => serial;
    public X509Certificate2 Idevid => idevid;
    public string OsVersion { get; set; } = "1.0.0";
    public string[] Alarms { get; set; } = [];
    /// <summary>Refuses every configuration it is sent (as a box without a port the configuration names would).</summary>
    public bool RefuseConfiguration { get; set; }
    /// <summary>Firmware versions whose new slot fails its health check, so the box falls back.</summary>
    public HashSet<string> FallBackFrom { get; } = [];

    // The agent's fleet bookkeeping (AgentProgress): the revision tried last, whether it waits for confirmation, the one confirmed.
    long _tried, _applied;
    bool _unconfirmed;
    readonly HashSet<long> _committed = [];
    public FleetRefusal? Refused { get; private set; }
    public FirmwareFailure? FirmwareFailure { get; private set; }
    /// <summary>The fleet revision it runs, as its check-in reports it.</summary>
    public long FleetRevision => _unconfirmed ? _tried : _applied;
    /// <summary>The handling of the configuration in the last answer ("restore" when it was told to roll back).</summary>
    public string? LastHandling { get; private set; }

    ResumingTlsClient? _tls;

    /// <summary>
    /// One check-in on a new TLS connection that resumes the last one's session, as the agent's: reports what it runs,
    /// verifies the owner-signed answer, applies it as the agent would. <paramref name="source"/>: the address it comes from.
    /// </summary>
    public async Task<CheckInAnswer> CheckInAsync(string url, CancellationToken ct = default, System.Net.IPAddress? source = null)
    {
        string nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        var request = new CheckInRequest(serial, model, "cpe-firmware", OsVersion, 100, 1, "fleet", FleetRevision, _unconfirmed, Alarms, null, nonce)
        {
            LastRefused = Refused,
            FirmwareFailure = FirmwareFailure,
            Software = new SoftwareReport("a", "good", [new SlotReport("a", "good", OsVersion), new SlotReport("b", "empty", null)], null),
        };
        _tls ??= new ResumingTlsClient(idevid);
        var response = await _tls.PostAsync(new Uri(url), FleetCheckIn.Path, FleetCheckIn.MediaType, FleetCheckIn.ToJson(request), TimeSpan.FromSeconds(30), ct, source: source);
        if (!response.IsSuccess) throw new HttpRequestException($"check-in of {serial}: {response.Status} {System.Text.Encoding.UTF8.GetString(response.Body)}");
        var answer = FleetCheckIn.Verify(response.Body, owner, serial, nonce);
        Apply(answer);
        return answer;
    }

    void Apply(CheckInAnswer answer)
    {
        if (_unconfirmed)
        {
            // It reached the server with the pushed configuration: confirmed.
            (_applied, _unconfirmed, Refused) = (_tried, false, null);
        }
        LastHandling = answer.Configuration?.Handling;
        if (answer.Configuration is { } c && c.Revision > _tried)
        {
            _tried = c.Revision;
            // A restore of a revision it never applied: it already runs what the restore wants (the agent does nothing).
            if (c.Handling == "restore" && !_committed.Contains(c.RestoreBefore ?? 0)) (_applied, Refused) = (c.Revision, null);
            else if (RefuseConfiguration && c.Handling != "restore")
                Refused = new FleetRefusal(c.Revision, "commit refused: the simulated box refuses every configuration", DateTimeOffset.UtcNow);
            else
            {
                _unconfirmed = true;
                _committed.Add(c.Revision);
            }
        }
        if (answer.Firmware is { } f && f.Version != OsVersion && FirmwareFailure?.Version != f.Version)
        {
            if (FallBackFrom.Contains(f.Version))
                FirmwareFailure = new FirmwareFailure(f.Version, $"fell back from slot b after 3 attempt(s): health check 'wan' failed in {f.Version}", DateTimeOffset.UtcNow);
            else OsVersion = f.Version;
        }
    }

    /// <summary>Whether the last check-in resumed the TLS session of the one before.</summary>
    public bool LastResumed => _tls?.LastResumed ?? false;

    /// <summary>An mTLS client for the device port with this device's IDevID, for other calls (install reports).</summary>
    public HttpClient Client(string url)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.ClientCertificates = new X509CertificateCollection { idevid };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        return new HttpClient(handler) { BaseAddress = new Uri(url) };
    }
}
