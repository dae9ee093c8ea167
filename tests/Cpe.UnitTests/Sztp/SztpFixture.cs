using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cpe.Sztp;

namespace Cpe.UnitTests.Sztp;

/// <summary>A vendor, a device and an owner, with a voucher, an owner certificate artifact and signed conveyed information.</summary>
public sealed class SztpFixture
{
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    public const string Serial = "SIM-0001";

    public X509Certificate2 VendorCa { get; } = VendorPki.CreateCa("CN=Example Vendor CA, O=Example Vendor", Now.AddDays(-1), TimeSpan.FromDays(3650));
    public X509Certificate2 VoucherSigner { get; }
    public X509Certificate2 OwnerCa { get; } = VendorPki.CreateCa("CN=Owner CA, O=Example Owner", Now.AddDays(-1), TimeSpan.FromDays(3650));
    public X509Certificate2 Owner { get; }
    public byte[] Content { get; } = Encoding.UTF8.GetBytes("""{"ietf-sztp-conveyed-info:onboarding-information":{"configuration-handling":"merge","configuration":"e30="}}""");

    public SztpFixture()
    {
        VoucherSigner = VendorPki.Issue(VendorCa, "CN=Example Vendor voucher signer, O=Example Vendor", Now.AddDays(-1), TimeSpan.FromDays(3650));
        Owner = VendorPki.Issue(OwnerCa, "CN=owner signer, O=Example Owner", Now.AddDays(-1), TimeSpan.FromDays(3650));
    }

    public OwnershipVoucher Voucher(string serial = Serial, DateTimeOffset? expires = null, byte[]? nonce = null, X509Certificate2? pinned = null) =>
        new(Now.AddHours(-1), expires ?? Now.AddDays(30), "verified", serial, (pinned ?? OwnerCa).RawData, nonce);

    public byte[] SignedVoucher(OwnershipVoucher? voucher = null) => (voucher ?? Voucher()).Sign(VoucherSigner);
    public byte[] OwnerCertificate() => Cms.CertificatesOnly(Owner);
    public byte[] Conveyed() => Cms.Sign(Content, SztpOids.ConveyedInfoJson, Owner);
}
