using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace Cpe.VendorServer;

/// <summary>"serve" options, validated once.</summary>
public sealed record ServerOptions(IReadOnlyList<Uri> DeviceUrls, IReadOnlyList<Uri> AdminUrls, string Database, X509Certificate2 VendorCa,
    X509Certificate2 Tls, X509Certificate2? Signer, string Images, string PublicUrl, int CheckInSeconds)
{
    /// <summary>The largest firmware image an operator may upload (<c>--max-image-mib</c>); a larger one is answered 413.</summary>
    public long MaxImageBytes { get; init; } = 2048L << 20;

    /// <summary>What an uploaded VNF package's signer must chain to (<c>--vnf-trust A.pem[,B.pem]</c>; default: the vendor CA).</summary>
    public IReadOnlyList<X509Certificate2> VnfTrust { get; init; } = [];

    /// <summary>Where RESTCONF bodies are recorded (<c>--record DIR</c>); null: not recorded.</summary>
    public string? Record { get; init; }

    public const string Usage = """
        usage: cpe-vendor-server serve --urls https://HOST:PORT[,…] --db FILE|CONNECTION --vendor-ca CA.pem --tls-cert CERT.pem --tls-key KEY.pem
                                       [--admin-urls https://HOST:PORT[,…]] [--signing-cert OWNER.pem --signing-key OWNER.key]
                                       [--images DIR] [--max-image-mib N] [--vnf-trust CA.pem[,…]] [--public-url https://HOST:PORT] [--check-in SECONDS] [--record DIR]
               cpe-vendor-server enroll --db DB --serial SERIAL --conveyed FILE [--owner-certificate FILE --voucher FILE --vendor-ca CA.pem] [--owner NAME] [--group NAME]
               cpe-vendor-server progress --db DB --serial SERIAL
               cpe-vendor-server token --db DB --name NAME [--role viewer|operator|administrator]
               cpe-vendor-server migrate --db DB
        DB is a SQLite file path, or a PostgreSQL connection string ("Host=…;Database=…") or postgres:// URI.
        """;

    public static ServerOptions From(CommandLine c)
    {
        var devices = Urls(c.Required("urls"));
        string db = c.Required("db");
        string? signingCert = c.Optional("signing-cert");
        int checkIn = c.Optional("check-in") is string s
            ? int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v is >= 5 and <= 86400 ? v : throw new ArgumentException("--check-in must be 5 to 86400 seconds")
            : 300;
        // Absolute: a relative folder would be resolved against whatever the working directory is when a download is served.
        string images = Path.GetFullPath(c.Optional("images") ?? Path.Combine(File.Exists(db) || !db.Contains('=') ? Path.GetDirectoryName(Path.GetFullPath(db))! : ".", "images"));
        long maxImage = c.Optional("max-image-mib") is string m
            ? long.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out long mib) && mib is >= 1 and <= 65536 ? mib << 20 : throw new ArgumentException("--max-image-mib must be 1 to 65536")
            : 2048L << 20;
        string publicUrl = c.Optional("public-url") is string given ? ReachableUrl(given)
            : !IsWildcard(devices[0]) ? devices[0].ToString().TrimEnd('/')
            : throw new ArgumentException($"--urls {devices[0]} listens on every address, which is no address to send devices to: " +
                "give --public-url https://NAME:PORT, the name and port devices reach this server at (it goes into published bundles' image URLs)");
        var vendorCa = X509Certificate2.CreateFromPem(File.ReadAllText(c.Required("vendor-ca")));
        IReadOnlyList<X509Certificate2> vnfTrust = c.Optional("vnf-trust") is string t
            ? [.. t.Split(',').Select(f => X509Certificate2.CreateFromPem(File.ReadAllText(f.Trim())))] : [vendorCa];
        return new ServerOptions(devices, c.Optional("admin-urls") is string a ? Urls(a) : [], db, vendorCa,
            X509Certificate2.CreateFromPemFile(c.Required("tls-cert"), c.Required("tls-key")),
            signingCert is null ? null : X509Certificate2.CreateFromPemFile(signingCert, c.Required("signing-key")),
            images, publicUrl, checkIn)
        { Record = c.Optional("record"), MaxImageBytes = maxImage, VnfTrust = vnfTrust };
    }

    /// <summary>A listening address that stands for every address of the host: no device can be sent there.</summary>
    public static bool IsWildcard(Uri url) => url.Host is "*" or "+" or "0.0.0.0" or "[::]" or "::";

    static string ReachableUrl(string given)
    {
        var url = Urls(given).Single();
        if (IsWildcard(url)) throw new ArgumentException($"--public-url {given} is not an address devices can reach");
        return url.ToString().TrimEnd('/');
    }

    static Uri[] Urls(string list) => list.Split(',').Select(u =>
        Uri.TryCreate(u.Trim(), UriKind.Absolute, out var uri) && uri.Scheme == "https" ? uri : throw new ArgumentException($"'{u}' is not an https:// URL")).ToArray();
}
