using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cpe.Signing;
using Cpe.Sztp;
using Cpe.VendorServer.Storage;

namespace Cpe.VendorServer;

/// <summary>
/// The checks of <see cref="EnrollmentCheck"/> for a manufacturing batch enrolled with one published bundle, without
/// repeating per device what is the same for all: the bundle's owner signature is verified once; per device, its
/// voucher (the vendor's signature, this serial number, its dates) and that the certificate it pins is the bundle's
/// owner or issues it (checked once per distinct pinned certificate). What a device then verifies is what was checked.
/// </summary>
public sealed class BatchEnrollmentCheck
{
    readonly X509Certificate2 _vendorCa;
    readonly DateTimeOffset _now;
    readonly X509Certificate2? _owner;
    readonly X509Certificate2Collection _extra = [];
    readonly Dictionary<string, bool> _pins = new(StringComparer.Ordinal);
    readonly ChainCache _signers = new();

    /// <summary>Why the bundle itself cannot enrol anyone, or null.</summary>
    public string? BundleProblem { get; }

    public BatchEnrollmentCheck(Bundle bundle, X509Certificate2 vendorCa, DateTimeOffset now)
    {
        (_vendorCa, _now) = (vendorCa, now);
        try
        {
            var certificates = Cms.Certificates(bundle.OwnerCertificate, "owner certificate");
            if (certificates.Count == 0) { BundleProblem = "the bundle's owner certificate carries no certificate"; return; }
            _owner = certificates[0];
            foreach (var c in certificates.Skip(1)) _extra.Add(c);
            Cms.VerifySignedBy(bundle.ConveyedInformation, SztpOids.ConveyedInfoJson, _owner, "conveyed information");
        }
        catch (SztpVerificationException e) { BundleProblem = e.Message; }
    }

    /// <summary>Why this device cannot be enrolled with the bundle, or null.</summary>
    public string? Problem(string serial, byte[]? voucher)
    {
        if (EnrollmentCheck.SerialProblem(serial) is string bad) return bad;
        if (voucher is null) return "a signed bundle needs each device's ownershipVoucher";
        try
        {
            var v = OwnershipVoucher.Verify(voucher, _vendorCa, serial, _now, known: _signers);
            string key = Convert.ToHexString(SHA256.HashData(v.PinnedDomainCert));
            if (!_pins.TryGetValue(key, out bool pins))
            {
                var pinned = X509CertificateLoader.LoadCertificate(v.PinnedDomainCert);
                _pins[key] = pins = CmsSigning.Chains(_owner!, pinned, _extra, _now.UtcDateTime);
            }
            return pins ? null : "the voucher does not pin the bundle's owner certificate, nor a CA that issued it";
        }
        catch (SztpVerificationException e) { return e.Message; }
        catch (CryptographicException e) { return "the voucher's pinned-domain-cert is not a certificate: " + e.Message; }
    }
}
