using System.Security.Cryptography.X509Certificates;

namespace Cpe.TestKit;

/// <summary>Certificates for the outside tools tests drive (openssl, curl): PATH.pem, and PATH.key when there is a private key.</summary>
public static class PemFile
{
    /// <returns>The path of the .pem file.</returns>
    public static string Write(string pathWithoutExtension, X509Certificate2 certificate)
    {
        File.WriteAllText(pathWithoutExtension + ".pem", certificate.ExportCertificatePem() + "\n");
        if (certificate.GetECDsaPrivateKey() is { } key) File.WriteAllText(pathWithoutExtension + ".key", key.ExportPkcs8PrivateKeyPem() + "\n");
        return pathWithoutExtension + ".pem";
    }
}
