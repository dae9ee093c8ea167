using System.Security.Cryptography.X509Certificates;
using Cpe.Sztp;

namespace Cpe.VendorServer;

/// <summary>
/// What an enrolment must be before it is stored, for the admin API and "cpe-vendor-server enroll" alike: a serial
/// number a certificate can carry, conveyed information that parses, and, when signed, the whole chain the device will
/// check (voucher signed under the vendor CA for this very serial, owner certificate pinned by it, conveyed
/// information signed by the owner), verified with the device's own code. A mistake shows at enrolment, not at the site.
/// </summary>
public static class EnrollmentCheck
{
    /// <summary>Why the enrolment is refused, or null.</summary>
    public static string? Problem(string serial, byte[] conveyed, byte[]? ownerCertificate, byte[]? voucher, X509Certificate2 vendorCa, DateTimeOffset now)
    {
        if (SerialProblem(serial) is string bad) return bad;
        if ((ownerCertificate is null) != (voucher is null)) return "ownerCertificate and ownershipVoucher come together or not at all";
        try
        {
            var (type, content) = Cms.ReadContentInfo(conveyed, "conveyed information");
            if (voucher is null)
            {
                if (type == SztpOids.SignedData) return "signed conveyed information needs the owner certificate and ownership voucher";
                ConveyedInformation.Parse(content);
                return null;
            }
            SignedDataVerifier.Verify(conveyed, ownerCertificate!, voucher, vendorCa, serial, now);
            return null;
        }
        catch (SztpVerificationException e) { return e.Message; }
    }

    /// <summary>Printable ASCII without spaces or slashes, at most 64 characters (an X.520 serialNumber, a URL segment).</summary>
    public static string? SerialProblem(string serial) =>
        serial.Length is >= 1 and <= 64 && serial.All(c => c is > ' ' and < '\u007f' and not '/' and not '\\')
            ? null : "a serial number is 1 to 64 printable ASCII characters without spaces or slashes";
}
