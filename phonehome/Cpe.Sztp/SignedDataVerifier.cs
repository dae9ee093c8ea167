using Cpe.Signing;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cpe.Sztp;

/// <summary>
/// The device's check of signed conveyed information (RFC 8572 §5.5, ../shared/docs/sztp-facts.md), in
/// its order: the voucher (vendor's signature, this serial number, dates, nonce) → the owner certificate
/// it pins → the owner's signature on the conveyed information. Returns the conveyed information's JSON;
/// every failure names the artifact, for the matching progress report.
/// </summary>
public static class SignedDataVerifier
{
    public static byte[] Verify(byte[] conveyedInformation, byte[] ownerCertificate, byte[] ownershipVoucher,
        X509Certificate2 vendorAnchor, string serialNumber, DateTimeOffset now, byte[]? nonce = null)
    {
        var voucher = OwnershipVoucher.Verify(ownershipVoucher, vendorAnchor, serialNumber, now, nonce);
        X509Certificate2 pinned;
        try { pinned = X509CertificateLoader.LoadCertificate(voucher.PinnedDomainCert); }
        catch (CryptographicException e) { throw new SztpVerificationException("ownership voucher", "pinned-domain-cert is not a certificate", e); }

        var certificates = Cms.Certificates(ownerCertificate, "owner certificate");
        if (certificates.Count == 0) throw new SztpVerificationException("owner certificate", "carries no certificate");
        var owner = certificates[0];
        if (!CmsSigning.Chains(owner, pinned, new X509Certificate2Collection(certificates.Skip(1).ToArray()), now.UtcDateTime))
            throw new SztpVerificationException("owner certificate", "is not the certificate the voucher pins, nor issued under it");
        return Cms.VerifySignedBy(conveyedInformation, SztpOids.ConveyedInfoJson, owner, "conveyed information");
    }
}
