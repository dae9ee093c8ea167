using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Cpe.Vnf.Packages;

namespace Cpe.TestKit;

/// <summary>VNF packages made on the spot: Debian's static busybox running a shell script, signed like the build signs its VNFs.</summary>
public static class BusyboxPackage
{
    /// <summary>Packs <c>busybox sh -c SCRIPT</c> as NAME:1.0.0 into FOLDER/NAME.tar, unsigned; returns the path.</summary>
    public static string Build(string folder, string name, string script, IReadOnlyDictionary<string, string>? labels = null)
    {
        string source = Path.Combine(folder, name + "-src");
        Directory.CreateDirectory(Path.Combine(source, "rootfs/bin"));
        File.Copy("/bin/busybox", Path.Combine(source, "rootfs/bin/busybox"), overwrite: true);
        var all = new Dictionary<string, string>
        {
            ["org.cpe.vnf.name"] = name, ["org.cpe.vnf.version"] = "1.0.0", ["org.cpe.vnf.interfaces"] = "in:virtio:ingress,out:virtio:egress",
            ["org.cpe.vnf.cpus"] = "0.1", ["org.cpe.vnf.memory"] = "16M", ["org.cpe.vnf.restart"] = "always",
        };
        foreach (var (k, v) in labels ?? new Dictionary<string, string>()) all[k] = v;
        var process = new OciProcessConfig(User: "1000:1000", Entrypoint: ["/bin/busybox", "sh", "-c", script], Labels: all);
        File.WriteAllBytes(Path.Combine(source, PackageWriter.FolderDescriptor), JsonSerializer.SerializeToUtf8Bytes(process, OciJson.Plain.OciProcessConfig));
        string package = Path.Combine(folder, name + ".tar");
        PackageWriter.PackFolder(source, package);
        return package;
    }

    /// <summary>Signs with the build's VNF signer (out/keys/vendor), which cped trusts through the vendor CA.</summary>
    public static void Sign(string package)
    {
        using var signer = X509Certificate2.CreateFromPemFile(Path.Combine(BuildKeys, "vnf-signer.pem"), Path.Combine(BuildKeys, "vnf-signer.key"));
        PackageWriter.Sign(package, signer);
    }

    public static string BuildKeys => Path.Combine(Binaries.Directory, "..", "keys", "vendor");

    public static string VendorCa => Path.Combine(BuildKeys, "vendor-ca.pem");
}
