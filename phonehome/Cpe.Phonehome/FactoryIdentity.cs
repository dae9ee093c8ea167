using System.Security.Cryptography.X509Certificates;

namespace Cpe.Phonehome;

/// <summary>
/// What the box was given at manufacture (docs/reference/phonehome.md, "Factory storage"): its IDevID certificate
/// and key, the vendor's trust anchor for vouchers, its serial number, and optionally the trust anchors that make a
/// bootstrap server trusted (<c>bootstrap-anchors.pem</c>) and the factory list of servers (<c>bootstrap-servers</c>).
/// </summary>
public sealed record FactoryIdentity(X509Certificate2 Idevid, X509Certificate2 VendorAnchor, string SerialNumber)
{
    /// <summary>A bootstrap server whose TLS certificate chains to one of these is trusted (RFC 8572 §5.3).</summary>
    public IReadOnlyList<X509Certificate2> ServerAnchors { get; init; } = [];

    /// <summary>The factory list of bootstrap server URIs, tried after removable media and before DHCP.</summary>
    public IReadOnlyList<Uri> FactoryServers { get; init; } = [];

    public static FactoryIdentity Load(string folder)
    {
        string File(string name)
        {
            string path = Path.Combine(folder, name);
            return System.IO.File.Exists(path) ? path : throw new FileNotFoundException($"factory storage {folder} has no {name}", path);
        }
        var idevid = X509Certificate2.CreateFromPemFile(File("idevid.pem"), File("idevid.key"));
        var anchor = X509Certificate2.CreateFromPem(System.IO.File.ReadAllText(File("vendor-ca.pem")));
        string serial = System.IO.File.ReadAllText(File("serial-number")).Trim();
        if (Cpe.Sztp.VendorPki.SerialNumberOf(idevid) != serial)
            throw new InvalidDataException($"factory storage {folder}: the IDevID names {Cpe.Sztp.VendorPki.SerialNumberOf(idevid)}, not {serial}");
        string anchors = Path.Combine(folder, "bootstrap-anchors.pem"), servers = Path.Combine(folder, "bootstrap-servers");
        return new FactoryIdentity(idevid, anchor, serial)
        {
            ServerAnchors = System.IO.File.Exists(anchors) ? LoadAnchors(anchors) : [],
            FactoryServers = System.IO.File.Exists(servers) ? ServerList.Parse(System.IO.File.ReadAllText(servers), servers) : [],
        };
    }

    static X509Certificate2[] LoadAnchors(string path)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(path);
        return collection.Count > 0 ? collection.ToArray() : throw new InvalidDataException($"{path} holds no certificate");
    }
}
