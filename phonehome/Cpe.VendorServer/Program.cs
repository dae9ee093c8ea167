using System.Security.Cryptography.X509Certificates;
using Cpe.Sztp;
using Cpe.VendorServer;
using Microsoft.AspNetCore.Server.Kestrel.Https;

// cpe-vendor-server serve|enroll|progress (docs/guides/vendor-server.md).
const string Usage = """
    usage: cpe-vendor-server serve --urls https://HOST:PORT --db FILE --vendor-ca CA.pem --tls-cert CERT.pem --tls-key KEY.pem
           cpe-vendor-server enroll --db FILE --serial SERIAL --conveyed FILE [--owner-certificate FILE --voucher FILE]
           cpe-vendor-server progress --db FILE --serial SERIAL
    """;
string Option(string name) =>
    args.SkipWhile(a => a != "--" + name).Skip(1).FirstOrDefault() ?? throw new ArgumentException($"--{name} is required");
string? Optional(string name) => args.SkipWhile(a => a != "--" + name).Skip(1).FirstOrDefault();
try
{
    switch (args.FirstOrDefault())
    {
        case "enroll":
        {
            var store = new DeviceStore(Option("db"));
            store.Migrate();
            byte[]? Read(string name) => Optional(name) is string f ? File.ReadAllBytes(f) : null;
            var owner = Read("owner-certificate");
            var voucher = Read("voucher");
            if ((owner is null) != (voucher is null)) throw new ArgumentException("--owner-certificate and --voucher come together or not at all");
            store.Enroll(new Enrollment(Option("serial"), File.ReadAllBytes(Option("conveyed")), owner, voucher, DateTimeOffset.UtcNow));
            Console.WriteLine($"enrolled {Option("serial")}");
            return 0;
        }
        case "progress":
        {
            var store = new DeviceStore(Option("db"));
            store.Migrate();
            foreach (var p in store.Progress(Option("serial"))) Console.WriteLine($"{p.Time:O} {p.ProgressType}{(p.Message is null ? "" : ": " + p.Message)}");
            return 0;
        }
        case "serve":
            break;
        default:
            Console.Error.WriteLine(Usage);
            return 2;
    }

    var db = new DeviceStore(Option("db"));
    db.Migrate();
    var vendorCa = X509Certificate2.CreateFromPem(File.ReadAllText(Option("vendor-ca")));
    var tls = X509Certificate2.CreateFromPemFile(Option("tls-cert"), Option("tls-key"));
    var builder = WebApplication.CreateSlimBuilder();
    builder.WebHost.UseKestrelHttpsConfiguration();
    builder.WebHost.UseUrls(Option("urls"));
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(https =>
    {
        https.ServerCertificate = tls;
        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
        // Devices only: an IDevID from the vendor CA. Anything else fails the TLS handshake.
        https.ClientCertificateValidation = (certificate, _, _) => BootstrapEndpoints.IsDeviceCertificate(certificate, vendorCa);
    }));
    var app = builder.Build();
    BootstrapEndpoints.Map(app, db, TimeProvider.System);
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is ArgumentException or IOException or System.Security.Cryptography.CryptographicException)
{
    Console.Error.WriteLine($"cpe-vendor-server: {e.Message}");
    return 1;
}
