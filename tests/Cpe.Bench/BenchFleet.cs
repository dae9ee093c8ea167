using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cpe.Sztp;
using Cpe.TestKit;
using Cpe.VendorServer.Storage;

/// <summary>
/// The fleet the single-server benches share: a vendor CA, an owner signing certificate and a voucher signer, written
/// as PEM files with the server's TLS certificate; devices enrolled straight into the store with a group configuration;
/// and one cpe-vendor-server serving them.
/// </summary>
sealed record BenchFleet(TempFolder Dir, DateTimeOffset Now, X509Certificate2 Vendor, X509Certificate2 Owner, X509Certificate2 VoucherSigner)
{
    public static BenchFleet Create(TempFolder dir, string name)
    {
        var now = DateTimeOffset.UtcNow;
        var vendor = VendorPki.CreateCa($"CN={name} Vendor CA", now.AddDays(-1), TimeSpan.FromDays(30));
        var owner = VendorPki.Issue(VendorPki.CreateCa($"CN={name} Owner CA", now.AddDays(-1), TimeSpan.FromDays(30)), "CN=owner", now.AddDays(-1), TimeSpan.FromDays(20));
        var voucherSigner = VendorPki.Issue(vendor, "CN=voucher signer", now.AddDays(-1), TimeSpan.FromDays(20));
        PemFile.Write(dir["vendor-ca"], vendor);
        PemFile.Write(dir["owner"], owner);
        PemFile.Write(dir["server"], VendorPki.IssueServer(vendor, ["127.0.0.1"], now.AddDays(-1), TimeSpan.FromDays(20)));
        return new BenchFleet(dir, now, vendor, owner, voucherSigner);
    }

    /// <summary>Enrols the serials (owner-signed conveyed information, a voucher each) in group "bench", which gets a configuration.</summary>
    public void Enroll(string database, IEnumerable<string> serials)
    {
        var conveyed = Cms.Sign(new ConveyedInformation.Onboarding(ConfigurationHandling: "merge", Configuration: Encoding.UTF8.GetBytes("""{"schema-version":1}""")).ToJson(),
            SztpOids.ConveyedInfoJson, Owner);
        var ownerCms = Cms.CertificatesOnly(Owner);
        var store = ServerStore.Open(database);
        store.Migrate();
        store.EnrollMany(serials.Select(serial => new Enrollment(serial, conveyed, ownerCms,
            new OwnershipVoucher(Now, Now.AddDays(7), "verified", serial, Owner.RawData).Sign(VoucherSigner), Now, "Bench Owner", "bench")));
        store.SetFleetConfig("group:bench", "merge", """{"schema-version":1,"system":{"host-name":"bench"}}""", null, null, Now);
    }

    public X509Certificate2 Device(string serial) => VendorPki.IssueDevice(Vendor, serial, "sim", Now.AddDays(-1));

    /// <summary>One server on <paramref name="database"/>, its device port listening when this returns.</summary>
    public async Task<LoggedProcess> ServeAsync(string database, int port)
    {
        var server = LoggedProcess.Start(Path.Combine(Binaries.Directory, "..", "vendor", "cpe-vendor-server"), ["serve",
            "--urls", $"https://127.0.0.1:{port}", "--db", database, "--vendor-ca", Dir["vendor-ca.pem"], "--tls-cert", Dir["server.pem"], "--tls-key", Dir["server.key"],
            "--signing-cert", Dir["owner.pem"], "--signing-key", Dir["owner.key"], "--check-in", "300"], Dir[$"server-{port}.log"]);
        await ServerBench.WaitForPortAsync(port, server);
        return server;
    }
}
