using System.Globalization;
using System.Net.NetworkInformation;
using System.Security.Cryptography.X509Certificates;

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

/// <summary>
/// The MAC rule (docs/reference/board-profile.md, "MAC addresses"): the factory gives each box one base address; front
/// port i (in the profile's order) gets base + i; VF v of the p-th PF gets the base with the locally administered bit
/// set, + 256 + 64·p + v. Additions wrap within the low three octets, so the vendor's OUI is kept, and VF addresses
/// never collide with another box's port addresses.
/// </summary>
public static class MacAddresses
{
    public static PhysicalAddress Port(PhysicalAddress baseMac, int port) => Offset(baseMac, port, locallyAdministered: false);

    public static PhysicalAddress Vf(PhysicalAddress baseMac, int pf, int vf) => Offset(baseMac, 256 + 64 * pf + vf, locallyAdministered: true);

    static PhysicalAddress Offset(PhysicalAddress baseMac, int offset, bool locallyAdministered)
    {
        byte[] b = baseMac.GetAddressBytes();
        int low = ((b[3] << 16) | (b[4] << 8) | b[5]) + offset;
        if (locallyAdministered) b[0] |= 0x02;
        b[3] = (byte)(low >> 16); b[4] = (byte)(low >> 8); b[5] = (byte)low;
        return new PhysicalAddress(b);
    }

    public static string Format(PhysicalAddress mac) => string.Join(':', mac.GetAddressBytes().Select(x => x.ToString("x2", CultureInfo.InvariantCulture)));

    /// <summary>"aa:bb:cc:dd:ee:ff" (or with '-'), unicast; null otherwise.</summary>
    public static PhysicalAddress? Parse(string text)
    {
        var parts = text.Split(':', '-');
        if (parts.Length != 6 || parts.Any(p => p.Length != 2)) return null;
        var bytes = new byte[6];
        for (int i = 0; i < 6; i++)
            if (!byte.TryParse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out bytes[i])) return null;
        return (bytes[0] & 1) == 0 ? new PhysicalAddress(bytes) : null;
    }
}
