using System.Security.Cryptography.X509Certificates;

namespace Cpe.Platform.Provisioning;

/// <summary>The box's IDevID from its factory storage: the client certificate cped's own downloads from the vendor server present.</summary>
public static class DeviceIdentity
{
    /// <summary>The IDevID with its key, or null on a box without one (no factory storage, or it cannot be read).</summary>
    public static X509Certificate2? ClientCertificate(string? factoryDirectory)
    {
        if (factoryDirectory is null) return null;
        string pem = Path.Combine(factoryDirectory, "idevid.pem"), key = Path.Combine(factoryDirectory, "idevid.key");
        try { return File.Exists(pem) && File.Exists(key) ? X509Certificate2.CreateFromPemFile(pem, key) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException) { return null; }
    }
}
