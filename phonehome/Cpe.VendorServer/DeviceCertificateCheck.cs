using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace Cpe.VendorServer;

/// <summary>
/// The device port's client certificate check (an IDevID under the vendor CA, naming a serial number), remembering the
/// certificates that passed: a box opens a new TLS connection at every check-in, and building its chain again each time
/// costs more than the rest of the handshake's checks. A certificate is remembered until its own expiry (the chain's
/// answer does not change before then; whether the device may check in is the enrolment's state, read per request),
/// at most <see cref="MaxRemembered"/> of them, forgotten all at once when full.
/// </summary>
public sealed class DeviceCertificateCheck(X509Certificate2 vendorCa, TimeProvider clock)
{
    public const int MaxRemembered = 2_000_000;
    readonly ConcurrentDictionary<string, DateTimeOffset> _passed = new(StringComparer.Ordinal);

    public bool IsDevice(X509Certificate2 certificate)
    {
        // The whole certificate is the key (its SHA-256), not the serial number: another certificate for the same serial must pass the chain itself.
        string key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(certificate.RawData));
        var now = clock.GetUtcNow();
        if (_passed.TryGetValue(key, out var until) && now < until) return true;
        if (!BootstrapEndpoints.IsDeviceCertificate(certificate, vendorCa)) return false;
        if (_passed.Count >= MaxRemembered) _passed.Clear();
        _passed[key] = certificate.NotAfter.ToUniversalTime();
        return true;
    }
}
