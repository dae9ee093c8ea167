using Cpe.VendorServer;
using Cpe.VendorServer.Storage;

// cpe-vendor-server serve|enroll|progress|token|migrate (docs/guides/vendor-server.md).
try
{
    var options = new CommandLine(args);
    switch (args.FirstOrDefault())
    {
        case "serve":
            await Server.RunAsync(ServerOptions.From(options));
            return 0;
        case "enroll":
        {
            var store = Migrated(options);
            byte[]? Read(string name) => options.Optional(name) is string f ? File.ReadAllBytes(f) : null;
            var owner = Read("owner-certificate");
            var voucher = Read("voucher");
            byte[] conveyed = File.ReadAllBytes(options.Required("conveyed"));
            string serial = options.Required("serial");
            // The admin API's own check: a signed enrolment is verified as the device will verify it, under the vendor CA.
            var vendorCa = voucher is null ? null : System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(
                options.Optional("vendor-ca") ?? throw new ArgumentException("--vendor-ca is required with --voucher: the voucher is checked against it")));
            if (EnrollmentCheck.Problem(serial, conveyed, owner, voucher, vendorCa!, DateTimeOffset.UtcNow) is string problem)
                throw new ArgumentException($"not enrolled: {problem}");
            store.Enroll(new Enrollment(serial, conveyed, owner, voucher, DateTimeOffset.UtcNow, options.Optional("owner"), options.Optional("group")));
            Console.WriteLine($"enrolled {options.Required("serial")}");
            return 0;
        }
        case "progress":
            foreach (var p in Migrated(options).Progress(options.Required("serial")))
                Console.WriteLine($"{p.Time:O} {p.ProgressType}{(p.Message is null ? "" : ": " + p.Message)}");
            return 0;
        case "token":
        {
            string role = options.Optional("role") ?? AdminAccess.Administrator;
            if (!AdminAccess.Roles.Contains(role)) throw new ArgumentException($"--role must be one of {string.Join(", ", AdminAccess.Roles)}");
            string token = Tokens.Create();
            Migrated(options).AddToken(Tokens.Hash(token), options.Required("name"), role, DateTimeOffset.UtcNow);
            Console.WriteLine(token);
            return 0;
        }
        case "migrate":
            Migrated(options);
            Console.WriteLine("schema up to date");
            return 0;
        default:
            Console.Error.WriteLine(ServerOptions.Usage);
            return 2;
    }
}
catch (Exception e) when (e is ArgumentException or IOException or System.Security.Cryptography.CryptographicException or System.Data.Common.DbException)
{
    Console.Error.WriteLine($"cpe-vendor-server: {e.Message}");
    return 1;
}

static ServerStore Migrated(CommandLine options)
{
    var store = ServerStore.Open(options.Required("db"));
    store.Migrate();
    return store;
}
