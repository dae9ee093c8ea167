using System.Net.NetworkInformation;
using System.Security.Cryptography.X509Certificates;
using Cpe.Board.Profile;

namespace Cpe.Board.Identity;

/// <summary>
/// Who the box is, from its factory storage (docs/reference/board-profile.md, "Factory storage"): the serial number,
/// the base MAC address, the IDevID certificate and the vendor trust anchor. The platform only reads it: zeroizing
/// erases configuration and state and never this. The IDevID key stays with the phone-home agent's user.
/// </summary>
public sealed record BoardIdentity(string SerialNumber, PhysicalAddress? BaseMac, string? IdevidSubject, DateTimeOffset? IdevidNotAfter, string? VendorAnchorSubject)
{
    public static BoardIdentity Load(string factory)
    {
        string? Text(string name)
        {
            try { return File.ReadAllText(Path.Combine(factory, name)).Trim(); }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
        }
        X509Certificate2? Certificate(string name) => Text(name) is string pem ? X509Certificate2.CreateFromPem(pem) : null;
        string serial = Text("serial-number") ?? throw new InvalidDataException($"factory storage {factory}: no serial-number");
        PhysicalAddress? mac = null;
        if (Text("base-mac") is string m)
            mac = MacAddresses.Parse(m) ?? throw new InvalidDataException($"factory storage {factory}: base-mac '{m}' is not a MAC address like 02:00:5e:10:00:00");
        using var idevid = Certificate("idevid.pem");
        using var vendor = Certificate("vendor-ca.pem");
        return new BoardIdentity(serial, mac, idevid?.Subject, idevid?.NotAfter.ToUniversalTime(), vendor?.Subject);
    }
}
