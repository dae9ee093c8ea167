using Cpe.Signing;
using System.Security.Cryptography.X509Certificates;
using Cpe.Sztp;

namespace Cpe.UnitTests.Sztp;

[Trait("Kind", "Unit")]
public sealed class VendorPkiTests
{
    [Fact]
    public void A_device_certificate_names_its_serial_number_chains_to_the_vendor_and_is_a_tls_client_certificate()
    {
        var now = DateTimeOffset.UtcNow;
        var vendor = VendorPki.CreateCa("CN=Example Vendor CA, O=Example Vendor", now.AddDays(-1), TimeSpan.FromDays(3650));
        var device = VendorPki.IssueDevice(vendor, "SIM-0007", "sim", now.AddDays(-1));
        Assert.Equal("SIM-0007", VendorPki.SerialNumberOf(device));
        Assert.True(device.HasPrivateKey);
        Assert.True(CmsSigning.Chains(device, vendor));
        Assert.Contains("1.3.6.1.5.5.7.3.2", device.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value));
        Assert.Contains("O=Example Vendor", device.Subject);
        var stranger = VendorPki.CreateCa("CN=Stranger", now.AddDays(-1), TimeSpan.FromDays(10));
        Assert.False(CmsSigning.Chains(device, stranger));
    }

    [Fact]
    public void A_voucher_round_trips_through_its_json_and_refuses_an_unknown_assertion()
    {
        var voucher = new OwnershipVoucher(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 22, 10, 0, 0, TimeSpan.Zero),
            "logged", "SIM-0007", [1, 2, 3], Nonce: new byte[16], IdevidIssuer: "vendor", DomainCertRevocationChecks: false);
        var back = OwnershipVoucher.Parse(System.Text.Encoding.UTF8.GetBytes(voucher.ToJson()));
        Assert.Equal((voucher.CreatedOn, voucher.ExpiresOn, voucher.Assertion, voucher.SerialNumber, voucher.IdevidIssuer, voucher.DomainCertRevocationChecks),
            (back.CreatedOn, back.ExpiresOn, back.Assertion, back.SerialNumber, back.IdevidIssuer, back.DomainCertRevocationChecks));
        Assert.Equal(voucher.PinnedDomainCert, back.PinnedDomainCert);
        Assert.Equal(voucher.Nonce, back.Nonce);
        Assert.Contains("\"created-on\":\"2026-11-22T10:00:00Z\"", voucher.ToJson());

        var e = Assert.Throws<SztpVerificationException>(() => OwnershipVoucher.Parse(System.Text.Encoding.UTF8.GetBytes(voucher.ToJson().Replace("logged", "trusted"))));
        Assert.Equal("ownership voucher: assertion 'trusted' is not one of verified, logged, proximity", e.Message);
    }
}
