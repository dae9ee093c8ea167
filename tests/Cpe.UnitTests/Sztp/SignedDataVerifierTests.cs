using Cpe.Sztp;

namespace Cpe.UnitTests.Sztp;

[Trait("Kind", "Unit")]
public sealed class SignedDataVerifierTests
{
    readonly SztpFixture _f = new();

    byte[] Verify(byte[] conveyed, byte[] owner, byte[] voucher, string serial = SztpFixture.Serial, byte[]? nonce = null, DateTimeOffset? now = null) =>
        SignedDataVerifier.Verify(conveyed, owner, voucher, _f.VendorCa, serial, now ?? SztpFixture.Now, nonce);

    [Fact]
    public void Conveyed_information_signed_by_the_owner_the_voucher_pins_is_accepted()
    {
        Assert.Equal(_f.Content, Verify(_f.Conveyed(), _f.OwnerCertificate(), _f.SignedVoucher()));
    }

    [Fact]
    public void Each_broken_link_of_the_chain_is_refused_and_named()
    {
        var otherVendor = VendorPki.CreateCa("CN=Other Vendor CA", SztpFixture.Now.AddDays(-1), TimeSpan.FromDays(365));
        var otherSigner = VendorPki.Issue(otherVendor, "CN=other signer", SztpFixture.Now.AddDays(-1), TimeSpan.FromDays(365));
        var stranger = VendorPki.Issue(VendorPki.CreateCa("CN=Stranger CA", SztpFixture.Now.AddDays(-1), TimeSpan.FromDays(365)), "CN=stranger", SztpFixture.Now.AddDays(-1), TimeSpan.FromDays(365));
        byte[] nonce = new byte[16];
        var cases = new (Func<byte[]> Run, string Message)[]
        {
            (() => Verify(_f.Conveyed(), _f.OwnerCertificate(), _f.Voucher().Sign(otherSigner)), "ownership voucher: is not signed by a certificate of the trusted issuer"),
            (() => Verify(_f.Conveyed(), _f.OwnerCertificate(), _f.SignedVoucher(_f.Voucher(serial: "SIM-0002"))), "ownership voucher: is for serial number SIM-0002, not this device (SIM-0001)"),
            (() => Verify(_f.Conveyed(), _f.OwnerCertificate(), _f.SignedVoucher(_f.Voucher(expires: SztpFixture.Now.AddMinutes(-1)))), "ownership voucher: expired on 2026-11-22T11:59:00Z"),
            (() => Verify(_f.Conveyed(), _f.OwnerCertificate(), _f.SignedVoucher(_f.Voucher(nonce: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])), nonce: nonce), "ownership voucher: carries a nonce other than the one this device sent"),
            (() => Verify(_f.Conveyed(), Cms.CertificatesOnly(stranger), _f.SignedVoucher()), "owner certificate: is not the certificate the voucher pins, nor issued under it"),
            (() => Verify(Cms.Sign(_f.Content, SztpOids.ConveyedInfoJson, stranger), _f.OwnerCertificate(), _f.SignedVoucher()), "conveyed information: is not signed by the expected certificate"),
            (() => Verify(Cms.Sign(_f.Content, SztpOids.Data, _f.Owner), _f.OwnerCertificate(), _f.SignedVoucher()), "conveyed information: has content type 1.2.840.113549.1.7.1, expected 1.2.840.113549.1.9.16.1.43"),
            (() => Verify(_f.Conveyed(), _f.OwnerCertificate(), Cms.Sign("{}"u8, SztpOids.VoucherJson, _f.VoucherSigner)), "ownership voucher: is not a ietf-voucher:voucher object"),
        };
        foreach (var (run, message) in cases)
            Assert.Equal(message, Assert.Throws<SztpVerificationException>(() => run()).Message);
    }

    /// <summary>At least 500 single-byte changes spread over each blob; every one is refused, none crashes.</summary>
    [Theory]
    [InlineData("conveyed")]
    [InlineData("voucher")]
    [InlineData("owner")]
    public void Every_single_byte_change_is_refused(string which)
    {
        byte[] conveyed = _f.Conveyed(), owner = _f.OwnerCertificate(), voucher = _f.SignedVoucher();
        byte[] blob = which switch { "conveyed" => conveyed, "voucher" => voucher, _ => owner };
        int positions = Math.Min(blob.Length, 600);
        var accepted = new List<int>();
        for (int i = 0; i < positions; i++)
        {
            int at = (int)((long)i * blob.Length / positions);
            var changed = (byte[])blob.Clone();
            changed[at] ^= (byte)(1 << (i % 8));
            try
            {
                Verify(which == "conveyed" ? changed : conveyed, which == "owner" ? changed : owner, which == "voucher" ? changed : voucher);
                accepted.Add(at);
            }
            catch (SztpVerificationException) { }
        }
        Assert.True(positions >= 500 || positions == blob.Length, $"{which} is only {blob.Length} bytes");
        Assert.Empty(accepted);
    }
}
