using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Cpe.Sztp;
using Cpe.TestKit;
using Cpe.Vnf.Packages;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>
/// What the package tests share: a vendor CA with a package signer under it, an owner certificate, a stranger's CA,
/// and VNF folders and OCI layouts to pack. Certificates are also written as PEM files for openssl.
/// </summary>
public sealed class PackageLab : IDisposable
{
    public TempFolder Dir { get; } = new("cpe-vnf-pkg-");
    public X509Certificate2 VendorCa { get; }
    public X509Certificate2 VendorSigner { get; }
    public X509Certificate2 Owner { get; }
    public X509Certificate2 Stranger { get; }
    public IReadOnlyList<X509Certificate2> Anchors => [VendorCa, WithoutKey(Owner)];

    public PackageLab()
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        VendorCa = VendorPki.CreateCa("CN=Vendor CA", now, TimeSpan.FromDays(30));
        VendorSigner = VendorPki.Issue(VendorCa, "CN=Vendor VNF signer", now, TimeSpan.FromDays(30));
        Owner = VendorPki.CreateCa("CN=Owner", now, TimeSpan.FromDays(30));
        Stranger = VendorPki.CreateCa("CN=Stranger", now, TimeSpan.FromDays(30));
        foreach (var (name, cert) in new[] { ("vendor-ca", VendorCa), ("owner", Owner), ("stranger", Stranger) })
        {
            File.WriteAllText(Dir[name + ".pem"], cert.ExportCertificatePem() + "\n");
            File.WriteAllText(Dir[name + ".key"], cert.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n");
        }
    }

    public static Dictionary<string, string> Labels(string name = "fw", string version = "1.0.0") => new()
    {
        ["org.cpe.vnf.name"] = name,
        ["org.cpe.vnf.version"] = version,
        ["org.cpe.vnf.interfaces"] = "in:virtio:ingress,out:virtio:egress",
        ["org.cpe.vnf.memory"] = "32M",
        ["org.cpe.vnf.capabilities"] = "CAP_NET_RAW",
    };

    /// <summary>A VNF folder (vnf.json and a small rootfs with a script, a config file, a link and an empty folder), packed.</summary>
    public string PackFolder(string file, string version = "1.0.0", string content = "hello")
    {
        string folder = Dir[Path.GetFileNameWithoutExtension(file) + "-src"];
        Directory.CreateDirectory(Path.Combine(folder, "rootfs/bin"));
        Directory.CreateDirectory(Path.Combine(folder, "rootfs/etc/fw"));
        Directory.CreateDirectory(Path.Combine(folder, "rootfs/var/empty"));
        File.WriteAllText(Path.Combine(folder, "rootfs/bin/fw"), $"#!/bin/sh\necho {content}\n");
        File.SetUnixFileMode(Path.Combine(folder, "rootfs/bin/fw"), (UnixFileMode)0x1ED);   // 0755
        File.WriteAllText(Path.Combine(folder, "rootfs/etc/fw/rules"), "deny all\n");
        if (!File.Exists(Path.Combine(folder, "rootfs/bin/firewall"))) File.CreateSymbolicLink(Path.Combine(folder, "rootfs/bin/firewall"), "fw");
        var process = new OciProcessConfig(User: "1000:1000", Entrypoint: ["/bin/fw"], Labels: Labels(version: version));
        File.WriteAllBytes(Path.Combine(folder, PackageWriter.FolderDescriptor), JsonSerializer.SerializeToUtf8Bytes(process, OciJson.Plain.OciProcessConfig));
        PackageWriter.PackFolder(folder, Dir[file]);
        return Dir[file];
    }

    public string SignedPackage(string file, string version = "1.0.0", string content = "hello")
    {
        string path = PackFolder(file, version, content);
        PackageWriter.Sign(path, VendorSigner, [WithoutKey(VendorCa)]);
        return path;
    }

    /// <summary>
    /// An OCI layout folder with two layers that exercise the whiteout rules, the upper one compressed as
    /// <paramref name="upperMediaType"/> (zstd through the zstd command).
    /// </summary>
    public string LayeredLayout(string name, string upperMediaType = OciMediaTypes.LayerGzip)
    {
        string layout = Dir[name];
        Directory.CreateDirectory(Path.Combine(layout, "blobs/sha256"));
        var lower = Tar(
            DirEntry("etc"), FileEntry("etc/keep", "kept\n"), FileEntry("etc/gone", "deleted by a whiteout\n"),
            DirEntry("opaque"), FileEntry("opaque/old", "hidden by the opaque whiteout\n"), DirEntry("opaque/sub"),
            FileEntry("bin/tool", "#!/bin/sh\n", 0x1ED), Link("bin/alias", "tool"), HardLink("bin/tool-hard", "bin/tool"),
            FileEntry("replaced", "a file that becomes a directory\n"), DirEntry("dir-to-link"), FileEntry("dir-to-link/inner", "x"),
            FileEntry("setuid", "s", 0x9ED /* 04755 */));
        var upper = Tar(
            FileEntry("etc/.wh.gone", ""), FileEntry("opaque/.wh..wh..opq", ""), FileEntry("opaque/new", "from the upper layer\n"),
            DirEntry("replaced"), FileEntry("replaced/now", "inside\n"), FileEntry(".wh.dir-to-link", ""), Link("dir-to-link", "etc"),
            FileEntry("etc/keep", "changed\n", 0x180 /* 0600 */, uid: 1000, gid: 1001));
        byte[] upperBlob = upperMediaType == OciMediaTypes.LayerZstd ? Zstd(upper) : Gzip(upper);
        var layers = new List<OciDescriptor> { Blob(layout, OciMediaTypes.LayerGzip, Gzip(lower)), Blob(layout, upperMediaType, upperBlob) };
        var config = new OciImageConfig("amd64", "linux", new OciProcessConfig(Entrypoint: ["/bin/tool"], Labels: Labels("layered")),
            new OciRootFs("layers", [DigestStream.Sha256Digest(lower), DigestStream.Sha256Digest(upper)]));
        var configBlob = Blob(layout, OciMediaTypes.Config, JsonSerializer.SerializeToUtf8Bytes(config, OciJson.Plain.OciImageConfig));
        var manifest = Blob(layout, OciMediaTypes.Manifest, JsonSerializer.SerializeToUtf8Bytes(new OciManifest(2, configBlob, layers, OciMediaTypes.Manifest), OciJson.Plain.OciManifest));
        var index = new OciIndex(2, [manifest with { Annotations = new() { ["org.opencontainers.image.ref.name"] = "1.0.0" } }]);
        File.WriteAllBytes(Path.Combine(layout, "index.json"), JsonSerializer.SerializeToUtf8Bytes(index, OciJson.Plain.OciIndex));
        File.WriteAllText(Path.Combine(layout, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        return layout;
    }

    /// <summary>A package of one gzip layer holding exactly <paramref name="entries"/>, validly signed by the owner.</summary>
    public string SignedSingleLayer(string name, params TarEntry[] entries) => SignedSingleLayer(name, Tar(entries));

    /// <summary>A package of one gzip layer holding exactly the tar <paramref name="tar"/> (e.g. one GNU tar wrote), validly signed by the owner.</summary>
    public string SignedSingleLayer(string name, byte[] tar)
    {
        string layout = Dir[name + "-layout"];
        Directory.CreateDirectory(Path.Combine(layout, "blobs/sha256"));
        var layers = new List<OciDescriptor> { Blob(layout, OciMediaTypes.LayerGzip, Gzip(tar)) };
        var config = new OciImageConfig("amd64", "linux", new OciProcessConfig(Entrypoint: ["/bin/tool"], Labels: Labels(name)),
            new OciRootFs("layers", [DigestStream.Sha256Digest(tar)]));
        var configBlob = Blob(layout, OciMediaTypes.Config, JsonSerializer.SerializeToUtf8Bytes(config, OciJson.Plain.OciImageConfig));
        var manifest = Blob(layout, OciMediaTypes.Manifest, JsonSerializer.SerializeToUtf8Bytes(new OciManifest(2, configBlob, layers, OciMediaTypes.Manifest), OciJson.Plain.OciManifest));
        File.WriteAllBytes(Path.Combine(layout, "index.json"), JsonSerializer.SerializeToUtf8Bytes(new OciIndex(2, [manifest]), OciJson.Plain.OciIndex));
        File.WriteAllText(Path.Combine(layout, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        string path = Dir[name + ".tar"];
        PackageWriter.PackLayout(layout, null, null, path);
        PackageWriter.Sign(path, Owner);
        return path;
    }

    /// <summary>The package at <paramref name="path"/> with one member's bytes replaced (index.json and oci-layout are outside the signature).</summary>
    public static void ReplaceMember(string path, string member, byte[] content)
    {
        var entries = new List<(TarEntry Entry, byte[]? Data)>();
        using (var reader = new TarReader(File.OpenRead(path)))
            while (reader.GetNextEntry(copyData: true) is { } e)
            {
                byte[]? data = null;
                if (e.DataStream is { } s) { using var ms = new MemoryStream(); s.CopyTo(ms); data = ms.ToArray(); }
                entries.Add((e, e.Name == member ? content : data));
            }
        using var output = File.Create(path);
        using var writer = new TarWriter(output, TarEntryFormat.Pax);
        foreach (var (e, data) in entries)
        {
            var copy = new PaxTarEntry(e.EntryType, e.Name) { Mode = e.Mode, ModificationTime = e.ModificationTime };
            if (data is not null) copy.DataStream = new MemoryStream(data);
            writer.WriteEntry(copy);
        }
    }

    public static TarEntry TarFile(string name, string text, int mode = 0x1A4) => FileEntry(name, text, mode);
    public static TarEntry TarSymlink(string name, string target) => Link(name, target);
    public static TarEntry TarHardLink(string name, string target) => HardLink(name, target);

    static OciDescriptor Blob(string layout, string mediaType, byte[] bytes)
    {
        string digest = DigestStream.Sha256Digest(bytes);
        File.WriteAllBytes(Path.Combine(layout, VnfPackage.BlobPath(digest)), bytes);
        return new OciDescriptor(mediaType, digest, bytes.Length);
    }

    static TarEntry DirEntry(string name) => new PaxTarEntry(TarEntryType.Directory, name + "/") { Mode = (UnixFileMode)0x1ED, ModificationTime = Time };
    static TarEntry Link(string name, string target) => new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target, ModificationTime = Time };
    static TarEntry HardLink(string name, string target) => new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target, ModificationTime = Time };
    static TarEntry FileEntry(string name, string text, int mode = 0x1A4, int uid = 0, int gid = 0) => new PaxTarEntry(TarEntryType.RegularFile, name)
    {
        DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), Mode = (UnixFileMode)mode, Uid = uid, Gid = gid, ModificationTime = Time,
    };
    static readonly DateTimeOffset Time = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    static byte[] Tar(params TarEntry[] entries)
    {
        using var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true)) foreach (var e in entries) w.WriteEntry(e);
        return ms.ToArray();
    }

    static byte[] Gzip(byte[] bytes)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(bytes);
        return ms.ToArray();
    }

    byte[] Zstd(byte[] bytes)
    {
        string input = Path.Combine(Dir.Path, $"layer-{Guid.NewGuid():N}.tar");
        File.WriteAllBytes(input, bytes);
        Command.Run("zstd", ["-q", "-f", input, "-o", input + ".zst"]);
        return File.ReadAllBytes(input + ".zst");
    }

    public static X509Certificate2 WithoutKey(X509Certificate2 c) => X509CertificateLoader.LoadCertificate(c.RawData);

    /// <summary>Every entry under <paramref name="root"/>: path, type, mode, owner, size, link count, link target, and content hash.</summary>
    public static List<string> Tree(string root)
    {
        var lines = Command.Run("find", [root, "-mindepth", "1", "-printf", "%P %y %m %U:%G %n %l\\n"]).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        return lines.Select(l => l.Split(' ')[1] == "f" ? $"{l} {new FileInfo(Path.Combine(root, l.Split(' ')[0])).Length} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(root, l.Split(' ')[0]))))[..16]}" : l)
            .Order(StringComparer.Ordinal).ToList();
    }

    public void Dispose() => Dir.Dispose();
}
