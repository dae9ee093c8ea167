using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Cpe.VendorTools;
using Cpe.Vnf;
using Cpe.Vnf.Packages;
using Cpe.Vnf.Store;

// cpe-vnf: pack, sign and check VNF packages (docs/reference/vnf-package.md).
const string Usage = """
    usage: cpe-vnf pack --folder DIR --out FILE                   DIR holds vnf.json and rootfs/
           cpe-vnf pack --layout DIR|ARCHIVE [--ref NAME] [--labels FILE] --out FILE
                                                                  an OCI layout (skopeo, umoci), labels merged from FILE
           cpe-vnf sign --package FILE --cert PEM --key PEM [--chain PEM]
           cpe-vnf verify --package FILE --trust PEM...           what the box checks before it unpacks anything
    """;
try
{
    if (args.Length < 1) throw new ToolException("a command is required");
    var a = new Arguments(args[1..]);
    switch (args[0])
    {
        case "pack":
        {
            string output = a.Required("out");
            string digest = a.Optional("folder") is string folder
                ? PackageWriter.PackFolder(folder, output)
                : PackageWriter.PackLayout(a.Required("layout"), a.Optional("ref"), a.Optional("labels") is string labels ? ReadLabels(labels) : null, output);
            Console.WriteLine($"{output}: manifest {digest} (unsigned: sign it with cpe-vnf sign)");
            break;
        }
        case "sign":
        {
            string package = a.Required("package");
            var signer = X509Certificate2.CreateFromPemFile(a.Required("cert"), a.Required("key"));
            var chain = a.Optional("chain") is string c ? LoadCertificates(c) : [];
            PackageWriter.Sign(package, signer, chain);
            Console.WriteLine($"{package}: signed by {signer.Subject}");
            break;
        }
        case "verify":
        {
            var anchors = a.All("trust").SelectMany(LoadCertificates).ToList();
            if (anchors.Count == 0) throw new ToolException("--trust is required: the vendor's or the owner's certificate (PEM)");
            using var package = VnfPackage.Open(a.Required("package"), anchors);
            var d = package.Descriptor;
            Console.WriteLine($"{d.Name} {d.Version}: manifest {package.ManifestDigest}, signed by {package.Signer.Subject}");
            Console.WriteLine($"  interfaces {string.Join(", ", d.Interfaces.Select(i => $"{i.Name} ({i.Kind}, {i.Role})".ToLowerInvariant()))}");
            Console.WriteLine($"  cpus {d.Cpus}, memory {d.MemoryBytes >> 20} MiB, pids {d.Pids}, restart {d.Restart}, capabilities [{string.Join(' ', d.Capabilities)}]");
            // What the box does next: every layer unpacked through the store's own code, digests checked to the last byte.
            var scratch = Directory.CreateTempSubdirectory("cpe-vnf-verify-");
            try
            {
                var unpacker = new LayerUnpacker(scratch.FullName, applyOwnership: Environment.IsPrivilegedProcess);
                unpacker.ApplyAll(package, package.OpenPackedBlob, long.MaxValue);
                Console.WriteLine($"  {package.Manifest.Layers.Count} layers, {package.Manifest.Layers.Sum(l => l.Size)} bytes, {unpacker.BytesWritten} bytes unpacked");
            }
            finally { scratch.Delete(recursive: true); }
            break;
        }
        case "-h" or "--help" or "help":
            Console.WriteLine(Usage);
            break;
        default:
            throw new ToolException($"unknown command '{args[0]}'");
    }
    return 0;
}
catch (Exception e) when (e is ToolException or VnfException or IOException or System.Security.Cryptography.CryptographicException or JsonException)
{
    Console.Error.WriteLine($"cpe-vnf: {e.Message}");
    if (e is ToolException) Console.Error.WriteLine(Usage);
    return 1;
}

static List<X509Certificate2> LoadCertificates(string path)
{
    var collection = new X509Certificate2Collection();
    collection.ImportFromPemFile(path);
    return [.. collection];
}

static Dictionary<string, string> ReadLabels(string path) =>
    (JsonSerializer.Deserialize(File.ReadAllBytes(path), OciJson.Default.OciProcessConfig)?.Labels) ?? throw new ToolException($"{path} has no Labels");
