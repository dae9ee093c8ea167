using Cpe.Sztp;

namespace Cpe.UnitTests.Sztp;

/// <summary>The server's own SignedData writer gives what the device's SignedCms-based verifier accepts, and nothing else.</summary>
[Trait("Kind", "Unit")]
public sealed class CmsSigningKeyTests
{
    readonly SztpFixture _f = new();

    [Fact]
    public void Its_signed_data_verifies_with_the_owner_certificate_for_id_data_and_conveyed_information()
    {
        using var key = new CmsSigningKey(_f.Owner);
        var pub = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(_f.Owner.RawData);
        Assert.Equal(_f.Content, Cms.VerifySignedBy(key.Sign(_f.Content, SztpOids.Data), SztpOids.Data, pub, "answer"));
        Assert.Equal(_f.Content, Cms.VerifySignedBy(key.Sign(_f.Content, SztpOids.ConveyedInfoJson), SztpOids.ConveyedInfoJson, pub, "conveyed"));
        // The whole chain of trust accepts it as owner-signed conveyed information.
        var content = SignedDataVerifier.Verify(key.Sign(_f.Content, SztpOids.ConveyedInfoJson), _f.OwnerCertificate(), _f.SignedVoucher(), _f.VendorCa, SztpFixture.Serial, SztpFixture.Now);
        Assert.Equal(_f.Content, content);
    }

    [Fact]
    public void Every_single_byte_change_over_600_positions_is_refused()
    {
        using var key = new CmsSigningKey(_f.Owner);
        byte[] blob = key.Sign(_f.Content, SztpOids.Data);
        var accepted = new List<int>();
        for (int i = 0; i < 600; i++)
        {
            int at = (int)((long)i * blob.Length / 600);
            var changed = (byte[])blob.Clone();
            changed[at] ^= (byte)(1 << (i % 8));
            try
            {
                Cms.VerifySignedBy(changed, SztpOids.Data, _f.Owner, "answer");
                accepted.Add(at);
            }
            catch (SztpVerificationException) { }
        }
        Assert.Empty(accepted);
        Assert.Throws<SztpVerificationException>(() => Cms.VerifySignedBy(blob, SztpOids.ConveyedInfoJson, _f.Owner, "answer"));
        Assert.Throws<SztpVerificationException>(() => Cms.VerifySignedBy(blob, SztpOids.Data, _f.VendorCa, "answer"));
    }
}
