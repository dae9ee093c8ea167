using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cpe.Sztp;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.VendorServer;

/// <summary>
/// Our CMS against an independent implementation, OpenSSL: what we sign, openssl cms verifies; what
/// openssl cms signs (as an owner's tooling would), our device-side verifier accepts.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class SztpOpensslTests : IDisposable
{
    static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    const string Serial = "SIM-0042";
    readonly TempFolder _folder = new("cpe-sztp-");
    readonly X509Certificate2 _vendorCa = VendorPki.CreateCa("CN=Example Vendor CA, O=Example Vendor", Now.AddDays(-1), TimeSpan.FromDays(3650));
    readonly X509Certificate2 _ownerCa = VendorPki.CreateCa("CN=Owner CA, O=Example Owner", Now.AddDays(-1), TimeSpan.FromDays(3650));
    readonly X509Certificate2 _voucherSigner, _owner;
    readonly byte[] _content = Encoding.UTF8.GetBytes("""{"ietf-sztp-conveyed-info:onboarding-information":{"configuration-handling":"replace","configuration":"e30="}}""");

    public SztpOpensslTests()
    {
        _voucherSigner = VendorPki.Issue(_vendorCa, "CN=voucher signer, O=Example Vendor", Now.AddDays(-1), TimeSpan.FromDays(3650));
        _owner = VendorPki.Issue(_ownerCa, "CN=owner signer, O=Example Owner", Now.AddDays(-1), TimeSpan.FromDays(3650));
    }

    string Dir => _folder.Path;
    public void Dispose() => _folder.Dispose();

    string Pem(string name, X509Certificate2 certificate) => PemFile.Write(Path.Combine(Dir, name), certificate);

    string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(Dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    byte[] OpensslVerify(byte[] cms, X509Certificate2 anchor)
    {
        string output = Path.Combine(Dir, "verified.out");
        Command.Run("openssl", ["cms", "-verify", "-inform", "DER", "-in", Write("in.cms", cms), "-CAfile", Pem("anchor", anchor),
            "-purpose", "any", "-binary", "-out", output]);
        return File.ReadAllBytes(output);
    }

    OwnershipVoucher Voucher() => new(Now.AddMinutes(-5), Now.AddDays(7), "verified", Serial, _ownerCa.RawData);

    [Fact]
    public void Our_voucher_and_conveyed_information_verify_with_openssl_cms()
    {
        var voucher = Voucher();
        Assert.Equal(Encoding.UTF8.GetBytes(voucher.ToJson()), OpensslVerify(voucher.Sign(_voucherSigner), _vendorCa));
        Assert.Equal(_content, OpensslVerify(Cms.Sign(_content, SztpOids.ConveyedInfoJson, _owner), _ownerCa));

        var printed = Command.Run("openssl", ["cms", "-cmsout", "-print", "-inform", "DER", "-in", Write("ci.cms", Cms.Sign(_content, SztpOids.ConveyedInfoJson, _owner))]);
        Assert.Contains("eContentType: undefined (1.2.840.113549.1.9.16.1.43)", printed);   // OpenSSL has no name for it

        var certs = Command.Run("openssl", ["pkcs7", "-inform", "DER", "-print_certs", "-noout", "-in", Write("owner.cms", Cms.CertificatesOnly(_owner))]);
        Assert.Contains("subject=O = Example Owner, CN = owner signer", certs);
    }

    [Fact]
    public void Conveyed_information_signed_by_openssl_cms_with_the_owner_key_is_accepted_by_the_device()
    {
        string content = Write("content.json", _content);
        string signed = Path.Combine(Dir, "ci.cms");
        Command.Run("openssl", ["cms", "-sign", "-binary", "-nodetach", "-outform", "DER", "-md", "sha256",
            "-econtent_type", SztpOids.ConveyedInfoJson, "-signer", Pem("owner", _owner), "-inkey", Path.Combine(Dir, "owner.key"),
            "-in", content, "-out", signed]);
        // The owner certificate artifact made by openssl as well: a degenerate PKCS#7 with just the certificate.
        string ownerArtifact = Path.Combine(Dir, "owner.p7");
        Command.Run("openssl", ["crl2pkcs7", "-nocrl", "-certfile", Path.Combine(Dir, "owner.pem"), "-outform", "DER", "-out", ownerArtifact]);

        var accepted = SignedDataVerifier.Verify(File.ReadAllBytes(signed), File.ReadAllBytes(ownerArtifact), Voucher().Sign(_voucherSigner),
            _vendorCa, Serial, Now);
        Assert.Equal(_content, accepted);

        // The same with another key than the one the voucher pins: refused.
        var other = VendorPki.Issue(VendorPki.CreateCa("CN=Other", Now.AddDays(-1), TimeSpan.FromDays(30)), "CN=other", Now.AddDays(-1), TimeSpan.FromDays(30));
        Command.Run("openssl", ["cms", "-sign", "-binary", "-nodetach", "-outform", "DER", "-md", "sha256",
            "-econtent_type", SztpOids.ConveyedInfoJson, "-signer", Pem("other", other), "-inkey", Path.Combine(Dir, "other.key"),
            "-in", content, "-out", signed]);
        var e = Assert.Throws<SztpVerificationException>(() => SignedDataVerifier.Verify(File.ReadAllBytes(signed), File.ReadAllBytes(ownerArtifact),
            Voucher().Sign(_voucherSigner), _vendorCa, Serial, Now));
        Assert.Equal("conveyed information: is not signed by the expected certificate", e.Message);
    }
}
