using System.Globalization;
using System.Net.NetworkInformation;

namespace Cpe.Board.Profile;

/// <summary>
/// The MAC rule (docs/reference/board-profile.md, "MAC addresses"): the factory gives each box one base address; front
/// port i (in the profile's order) gets base + i; VF v of the p-th PF gets the base with the locally administered bit
/// set, + 256 + 64·p + v. Additions wrap within the low three octets, so the vendor's OUI is kept, and VF addresses
/// never collide with another box's port addresses. The network applies it to the ports, and to the VFs the
/// configuration gives no address of their own.
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
