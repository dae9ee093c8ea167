using System.Security.Cryptography.X509Certificates;

namespace Cpe.VendorTools;

/// <summary>Certificates as NAME.pem and their keys as NAME.key (PKCS#8, readable by the owner only) in a folder.</summary>
static class PemFiles
{
    public static void Save(string folder, string name, X509Certificate2 certificate)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name + ".pem"), certificate.ExportCertificatePem() + "\n");
        if (certificate.GetECDsaPrivateKey() is { } key)
        {
            string path = Path.Combine(folder, name + ".key");
            File.WriteAllText(path, "");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem() + "\n");
        }
    }

    public static X509Certificate2 Load(string folder, string name, bool withKey = true)
    {
        string pem = Path.Combine(folder, name + ".pem"), key = Path.Combine(folder, name + ".key");
        if (!File.Exists(pem)) throw new ToolException($"{pem} is missing");
        if (!withKey) return X509Certificate2.CreateFromPem(File.ReadAllText(pem));
        if (!File.Exists(key)) throw new ToolException($"{key} is missing");
        return X509Certificate2.CreateFromPemFile(pem, key);
    }
}
