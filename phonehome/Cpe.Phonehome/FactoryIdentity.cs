using System.Security.Cryptography.X509Certificates;

namespace Cpe.Phonehome;

/// <summary>
/// What the box was given at manufacture (docs/guides/vendor-server.md, "At manufacture"): its IDevID
/// certificate and key, the vendor's trust anchor for vouchers, and its serial number.
/// </summary>
public sealed record FactoryIdentity(X509Certificate2 Idevid, X509Certificate2 VendorAnchor, string SerialNumber)
{
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
        return new FactoryIdentity(idevid, anchor, serial);
    }
}
