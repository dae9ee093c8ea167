using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cpe.Sztp;

/// <summary>
/// The certificates of zero-touch provisioning, all ECDSA P-256 with SHA-256: the vendor's CA (the
/// device's trust anchor for vouchers), the voucher signer (the MASA), each device's IDevID (its serial
/// number in the subject), and the owner's CA and end-entity certificate that signs conveyed information.
/// </summary>
public static class VendorPki
{
    /// <summary>A self-signed CA that may issue certificates (path length 1: CA → signer).</summary>
    public static X509Certificate2 CreateCa(string subject, DateTimeOffset notBefore, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(notBefore, notBefore + lifetime);
    }

    /// <summary>An end-entity certificate issued by <paramref name="ca"/>, with its private key.</summary>
    public static X509Certificate2 Issue(X509Certificate2 ca, string subject, DateTimeOffset notBefore, TimeSpan lifetime,
        X509KeyUsageFlags usage = X509KeyUsageFlags.DigitalSignature, OidCollection? extendedUsage = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        if (extendedUsage is not null) request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(extendedUsage, false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var end = notBefore + lifetime;
        if (end > ca.NotAfter) end = ca.NotAfter;
        using var issued = request.Create(ca, notBefore, end, RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A bootstrap server's TLS certificate for these DNS names or IP addresses (subjectAltName), serverAuth.</summary>
    public static X509Certificate2 IssueServer(X509Certificate2 ca, IReadOnlyList<string> names, DateTimeOffset notBefore, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
            if (System.Net.IPAddress.TryParse(name, out var ip)) san.AddIpAddress(ip);
            else san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var end = notBefore + lifetime;
        if (end > ca.NotAfter) end = ca.NotAfter;
        using var issued = request.Create(ca, notBefore, end, RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A device's IDevID: subject CN and serialNumber are its serial number; usable as a TLS client certificate.</summary>
    public static X509Certificate2 IssueDevice(X509Certificate2 vendorCa, string serialNumber, string model, DateTimeOffset notBefore) =>
        Issue(vendorCa, $"CN={serialNumber}, SERIALNUMBER={serialNumber}, OU={model}, O={Organization(vendorCa)}", notBefore, TimeSpan.FromDays(365 * 20),
            X509KeyUsageFlags.DigitalSignature, new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") });

    /// <summary>The serial number in an IDevID's subject (the serialNumber attribute, 2.5.4.5).</summary>
    public static string? SerialNumberOf(X509Certificate2 idevid)
    {
        foreach (var rdn in idevid.SubjectName.EnumerateRelativeDistinguishedNames())
            if (rdn.GetSingleElementType().Value == "2.5.4.5") return rdn.GetSingleElementValue();
        return null;
    }

    static string Organization(X509Certificate2 ca)
    {
        foreach (var rdn in ca.SubjectName.EnumerateRelativeDistinguishedNames())
            if (rdn.GetSingleElementType().Value == "2.5.4.10") return rdn.GetSingleElementValue() ?? "vendor";
        return "vendor";
    }
}
