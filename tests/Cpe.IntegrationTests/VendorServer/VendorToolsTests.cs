using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cpe.Sztp;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.VendorServer;

/// <summary>
/// The vendor's tools as the vendor runs them: a CA, a device at manufacture, an owner, a voucher and
/// signed onboarding information, checked by the device-side verifier and by OpenSSL.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class VendorToolsTests : IDisposable
{
    readonly TempFolder _dir = new("cpe-vendor-");
    public void Dispose() => _dir.Dispose();

    string Path_(string name) => _dir[name];
    static string Vendor(params string[] args) => Command.Run(Binaries.VendorTool, args);

    [Fact]
    public void A_mistake_is_one_line_and_only_a_missing_or_unknown_command_shows_the_usage()
    {
        var mistake = Command.Capture(Binaries.VendorTool, ["ca", "create"]);
        Assert.Equal((1, "cpe-vendor: --dir is required"), (mistake.ExitCode, mistake.Error.Trim()));
        var unknown = Command.Capture(Binaries.VendorTool, ["ca", "destroy"]);
        Assert.Equal(1, unknown.ExitCode);
        Assert.StartsWith("cpe-vendor: unknown command 'ca destroy'\nusage: cpe-vendor ca create", unknown.Error);
        Assert.Contains("cpe-vendor firmware verify", Command.Run(Binaries.VendorTool, ["--help"]));
    }

    [Fact]
    public void From_a_new_vendor_CA_to_onboarding_information_the_device_accepts()
    {
        Vendor("ca", "create", "--dir", Path_("vendor"), "--organization", "Example Vendor");
        Vendor("device", "issue", "--ca-dir", Path_("vendor"), "--serial", "SIM-0100", "--model", "sim", "--factory", Path_("factory"));
        Vendor("owner", "create", "--dir", Path_("owner"), "--organization", "Example Owner");
        Vendor("voucher", "issue", "--ca-dir", Path_("vendor"), "--serial", "SIM-0100", "--pinned", Path_("owner/owner-ca.pem"), "--days", "7", "--out", Path_("voucher.cms"));
        // RFC 8366 §5.3: however many days are asked for, the voucher does not outlive the certificate it pins.
        var pinned = X509Certificate2.CreateFromPem(File.ReadAllText(Path_("owner/owner-ca.pem")));
        string said = Vendor("voucher", "issue", "--ca-dir", Path_("vendor"), "--serial", "SIM-0100", "--pinned", Path_("owner/owner-ca.pem"), "--days", "100000", "--out", Path_("long.cms"));
        Assert.Contains("capped at the pinned certificate's expiry", said);
        var vendorCa = X509Certificate2.CreateFromPem(File.ReadAllText(Path_("vendor/vendor-ca.pem")));
        var longVoucher = OwnershipVoucher.Verify(File.ReadAllBytes(Path_("long.cms")), vendorCa, "SIM-0100", DateTimeOffset.UtcNow);
        Assert.Equal(new DateTimeOffset(pinned.NotAfter.ToUniversalTime(), TimeSpan.Zero), longVoucher.ExpiresOn);

        File.WriteAllText(Path_("config.json"), """{"system":{"host-name":"site-100"}}""");
        File.WriteAllBytes(Path_("image.bin"), RandomNumberGenerator.GetBytes(4096));
        Vendor("conveyed", "sign", "--owner-dir", Path_("owner"), "--configuration", Path_("config.json"), "--handling", "replace",
            "--os-name", "cpe-firmware", "--os-version", "0.2.0", "--image-uri", "https://vendor.example/images/0.2.0", "--image-file", Path_("image.bin"),
            "--out", Path_("conveyed.cms"));

        // The factory storage holds the device's identity and the vendor's trust anchor; its key is private.
        Assert.Equal("SIM-0100\n", File.ReadAllText(Path_("factory/serial-number")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path_("factory/idevid.key")));
        Assert.False(File.Exists(Path_("factory/vendor-ca.key")), "the vendor CA's key never leaves the vendor");
        var idevid = X509Certificate2.CreateFromPem(File.ReadAllText(Path_("factory/idevid.pem")));
        Assert.Equal("SIM-0100", VendorPki.SerialNumberOf(idevid));
        Assert.Contains("OK", Command.Run("openssl", ["verify", "-CAfile", Path_("factory/vendor-ca.pem"), Path_("factory/idevid.pem")]));

        // The agent reads its factory storage; a serial number file that disagrees with the IDevID is refused.
        var identity = Cpe.Phonehome.FactoryIdentity.Load(Path_("factory"));
        Assert.Equal("SIM-0100", identity.SerialNumber);
        Assert.True(identity.Idevid.HasPrivateKey);
        Directory.CreateDirectory(Path_("factory2"));
        foreach (var f in new[] { "idevid.pem", "idevid.key", "vendor-ca.pem" }) File.Copy(Path_($"factory/{f}"), Path_($"factory2/{f}"));
        File.WriteAllText(Path_("factory2/serial-number"), "SIM-9999\n");
        Assert.Contains("the IDevID names SIM-0100, not SIM-9999", Assert.Throws<InvalidDataException>(() => Cpe.Phonehome.FactoryIdentity.Load(Path_("factory2"))).Message);

        // The device's verification, with only what the factory gave it.
        var anchor = identity.VendorAnchor;
        var json = SignedDataVerifier.Verify(File.ReadAllBytes(Path_("conveyed.cms")), File.ReadAllBytes(Path_("owner/owner-certificate.cms")),
            File.ReadAllBytes(Path_("voucher.cms")), anchor, "SIM-0100", DateTimeOffset.UtcNow);
        var info = Assert.IsType<ConveyedInformation.Onboarding>(ConveyedInformation.Parse(json));
        Assert.Equal("""{"system":{"host-name":"site-100"}}""", Encoding.UTF8.GetString(info.Configuration!));
        Assert.Equal("replace", info.ConfigurationHandling);
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(Path_("image.bin"))), info.BootImage!.Verification.Single().Value);

        // OpenSSL agrees about both signatures.
        Command.Run("openssl", ["cms", "-verify", "-inform", "DER", "-in", Path_("voucher.cms"), "-CAfile", Path_("vendor/vendor-ca.pem"), "-purpose", "any", "-binary", "-out", Path_("v.json")]);
        Assert.Contains("\"serial-number\":\"SIM-0100\"", File.ReadAllText(Path_("v.json")));
        Command.Run("openssl", ["cms", "-verify", "-inform", "DER", "-in", Path_("conveyed.cms"), "-CAfile", Path_("owner/owner-ca.pem"), "-purpose", "any", "-binary", "-out", Path_("c.json")]);
        Assert.Equal(json, File.ReadAllBytes(Path_("c.json")));

        // A voucher for another device does not open this one.
        Vendor("voucher", "issue", "--ca-dir", Path_("vendor"), "--serial", "SIM-0999", "--pinned", Path_("owner/owner-ca.pem"), "--out", Path_("other.cms"));
        var e = Assert.Throws<SztpVerificationException>(() => SignedDataVerifier.Verify(File.ReadAllBytes(Path_("conveyed.cms")),
            File.ReadAllBytes(Path_("owner/owner-certificate.cms")), File.ReadAllBytes(Path_("other.cms")), anchor, "SIM-0100", DateTimeOffset.UtcNow));
        Assert.Equal("ownership voucher: is for serial number SIM-0999, not this device (SIM-0100)", e.Message);

        // The same artifacts as DNS TXT records, in a zone file's generic form (RFC 3597): "\# LENGTH HEX".
        var zone = Vendor("conveyed", "dns-records", "--serial", "SIM-0100", "--domain", "example.net", "--conveyed", Path_("conveyed.cms"),
            "--owner-certificate", Path_("owner/owner-certificate.cms"), "--voucher", Path_("voucher.cms")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, zone.Length);
        foreach (var (line, key, file) in zone.Zip(["ci", "oc", "ov"], ["conveyed.cms", "owner/owner-certificate.cms", "voucher.cms"]))
        {
            var fields = line.Split(' ');
            Assert.Equal(["SIM-0100._sztp.example.net.", "300", "IN", "TXT", "\\#"], fields[..5]);
            byte[] rdata = Convert.FromHexString(fields[6]);
            Assert.Equal(int.Parse(fields[5]), rdata.Length);
            var pair = SztpDnsTxt.Decode(SztpDnsTxt.Concatenate(rdata))!.Value;
            Assert.Equal(key, pair.Key);
            Assert.Equal(File.ReadAllBytes(Path_(file)), pair.Value);
        }
    }

    [Fact]
    public void Mistakes_are_one_clear_line_and_a_vendor_CA_is_never_replaced()
    {
        Vendor("ca", "create", "--dir", Path_("vendor"));
        var again = Command.Run("sh", ["-c", $"{Binaries.VendorTool} ca create --dir {Path_("vendor")} 2>&1; echo \"exit $?\""], check: false);
        Assert.StartsWith($"cpe-vendor: {Path_("vendor")} already holds a vendor CA; refusing to replace it\n", again);
        Assert.EndsWith("exit 1\n", again);
        var missing = Command.Run("sh", ["-c", $"{Binaries.VendorTool} voucher issue --ca-dir {Path_("vendor")} --serial X --out {Path_("v")} 2>&1; echo \"exit $?\""], check: false);
        Assert.StartsWith("cpe-vendor: --pinned is required\n", missing);
        var shortNonce = Command.Run("sh", ["-c", $"{Binaries.VendorTool} voucher issue --ca-dir {Path_("vendor")} --serial X --pinned {Path_("vendor/vendor-ca.pem")} --nonce 0102 --out {Path_("v")} 2>&1"], check: false);
        Assert.StartsWith("cpe-vendor: --nonce must be 16 to 32 bytes\n", shortNonce);
        var dotted = Command.Run("sh", ["-c", $"{Binaries.VendorTool} conveyed dns-records --serial SIM.1 --domain example.net --conveyed x 2>&1"], check: false);
        Assert.StartsWith("cpe-vendor: --serial must be one DNS label", dotted);
    }
}
