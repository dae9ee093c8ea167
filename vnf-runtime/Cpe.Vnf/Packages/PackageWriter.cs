using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Cpe.Vnf.Packages;

/// <summary>
/// Makes packages (the vendor's side of docs/reference/vnf-package.md): from a folder holding vnf.json (the image
/// process config and its org.cpe.vnf.* labels) and rootfs/, or from an existing OCI image layout, into one
/// oci-archive tar; and signs one. Archives are reproducible: sorted entries, owner root, time zero.
/// </summary>
public static class PackageWriter
{
    public const string FolderDescriptor = "vnf.json";

    /// <summary>Packs <paramref name="folder"/>/rootfs as one gzip layer with <paramref name="folder"/>/vnf.json as the image config.</summary>
    public static string PackFolder(string folder, string output)
    {
        var process = ReadProcess(Path.Combine(folder, FolderDescriptor));
        string rootfs = Path.Combine(folder, "rootfs");
        if (!Directory.Exists(rootfs)) throw new VnfPackageException($"{folder} has no rootfs/ folder");
        var (layer, diffId) = LayerFromFolder(rootfs);
        var config = new OciImageConfig("amd64", "linux", process, new OciRootFs("layers", [diffId]));
        return Write(output, config, [new(OciMediaTypes.LayerGzip, layer)]);
    }

    /// <summary>
    /// Repacks the image of an OCI layout (a folder, or an oci-archive tar as skopeo makes), chosen by its
    /// org.opencontainers.image.ref.name when the layout holds several, with <paramref name="labels"/> added to its labels.
    /// </summary>
    public static string PackLayout(string layout, string? reference, IReadOnlyDictionary<string, string>? labels, string output)
    {
        using var source = LayoutSource.Open(layout);
        var index = JsonSerializer.Deserialize(source.Read("index.json"), OciJson.Default.OciIndex)!;
        var candidates = index.Manifests.Where(m => reference is null || m.Annotations?.GetValueOrDefault("org.opencontainers.image.ref.name") == reference).ToList();
        if (candidates is not [var entry]) throw new VnfPackageException($"{layout}: {candidates.Count} images match{(reference is null ? "" : $" '{reference}'")}; name one with --ref");
        var manifest = JsonSerializer.Deserialize(source.Blob(entry.Digest), OciJson.Default.OciManifest)!;
        var config = JsonSerializer.Deserialize(source.Blob(manifest.Config.Digest), OciJson.Default.OciImageConfig)!;
        if (labels is { Count: > 0 })
        {
            var merged = new Dictionary<string, string>(config.Config?.Labels ?? []);
            foreach (var (k, v) in labels) merged[k] = v;
            config = config with { Config = (config.Config ?? new OciProcessConfig()) with { Labels = merged } };
        }
        var layers = manifest.Layers.Select(l => (l.MediaType, source.Blob(l.Digest))).ToList();
        return Write(output, config, layers);
    }

    /// <summary>Adds (or replaces) the package's signature over its manifest digest.</summary>
    public static void Sign(string package, X509Certificate2 signer, IEnumerable<X509Certificate2>? chain = null)
    {
        AttachSignature(package, PackageSignature.Sign(ManifestDigest(package), signer, chain));
    }

    /// <summary>The manifest digest a package's signature must cover.</summary>
    public static string ManifestDigest(string package)
    {
        using var archive = new PackageArchive(package);
        var index = JsonSerializer.Deserialize(archive.ReadAll("index.json", 1 << 20), OciJson.Default.OciIndex)!;
        return index.Manifests is [var entry] ? entry.Digest : throw new VnfPackageException($"{package}: index.json must list exactly one manifest");
    }

    /// <summary>Puts <paramref name="signature"/> (detached CMS, DER, e.g. from openssl cms -sign) into the package, replacing any other.</summary>
    public static void AttachSignature(string package, byte[] signature)
    {
        string temporary = package + ".signing";
        using (var input = File.OpenRead(package))
        using (var reader = new TarReader(input))
        using (var output = File.Create(temporary))
        using (var writer = new TarWriter(output, TarEntryFormat.Ustar))
        {
            while (reader.GetNextEntry(copyData: true) is { } e)
                if (e.Name.TrimStart('.', '/') != PackageSignature.FileName) writer.WriteEntry(new UstarTarEntry(e));
            WriteFile(writer, PackageSignature.FileName, signature);
        }
        File.Move(temporary, package, overwrite: true);
    }

    static string Write(string output, OciImageConfig config, IReadOnlyList<(string MediaType, byte[] Bytes)> layers)
    {
        VnfDescriptor.FromLabels(config.Config?.Labels);   // a package that could not run is refused here already
        byte[] configBytes = JsonSerializer.SerializeToUtf8Bytes(config, OciJson.Plain.OciImageConfig);
        var manifest = new OciManifest(2, Describe(OciMediaTypes.Config, configBytes),
            layers.Select(l => Describe(l.MediaType, l.Bytes)).ToList(), OciMediaTypes.Manifest);
        byte[] manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, OciJson.Plain.OciManifest);
        var descriptor = VnfDescriptor.FromLabels(config.Config!.Labels);
        var entry = Describe(OciMediaTypes.Manifest, manifestBytes) with
        {
            Annotations = new() { ["org.opencontainers.image.ref.name"] = descriptor.Version },
        };
        var index = new OciIndex(2, [entry], OciMediaTypes.Index);

        var blobs = new SortedDictionary<string, byte[]>(StringComparer.Ordinal) { [entry.Digest] = manifestBytes, [manifest.Config.Digest] = configBytes };
        foreach (var l in layers) blobs[DigestStream.Sha256Digest(l.Bytes)] = l.Bytes;
        using (var file = File.Create(output))
        using (var writer = new TarWriter(file, TarEntryFormat.Ustar))
        {
            WriteFile(writer, "oci-layout", JsonSerializer.SerializeToUtf8Bytes(new OciLayoutFile("1.0.0"), OciJson.Plain.OciLayoutFile));
            WriteFile(writer, "index.json", JsonSerializer.SerializeToUtf8Bytes(index, OciJson.Plain.OciIndex));
            foreach (var (digest, bytes) in blobs) WriteFile(writer, VnfPackage.BlobPath(digest), bytes);
        }
        return entry.Digest;
    }

    static OciDescriptor Describe(string mediaType, byte[] bytes) => new(mediaType, DigestStream.Sha256Digest(bytes), bytes.Length);

    /// <summary>The folder as a gzip-compressed tar (root-owned, time zero, sorted) and the digest of the uncompressed tar.</summary>
    static (byte[] Layer, string DiffId) LayerFromFolder(string rootfs)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entries = Directory.EnumerateFileSystemEntries(rootfs, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                .Select(p => Path.GetRelativePath(rootfs, p)).Order(StringComparer.Ordinal);
            foreach (var relative in entries)
            {
                string path = Path.Combine(rootfs, relative);
                var info = new FileInfo(path);
                PaxTarEntry entry;
                if (info.LinkTarget is string link) entry = new PaxTarEntry(TarEntryType.SymbolicLink, relative) { LinkName = link };
                else if (Directory.Exists(path)) entry = new PaxTarEntry(TarEntryType.Directory, relative + "/");
                else entry = new PaxTarEntry(TarEntryType.RegularFile, relative) { DataStream = File.OpenRead(path) };
                entry.Mode = info.LinkTarget is null ? File.GetUnixFileMode(path) : (UnixFileMode)0x1FF;
                entry.ModificationTime = DateTimeOffset.UnixEpoch;
                writer.WriteEntry(entry);
                entry.DataStream?.Dispose();
            }
        }
        byte[] uncompressed = tar.ToArray();
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(uncompressed);
        return (compressed.ToArray(), DigestStream.Sha256Digest(uncompressed));
    }

    static OciProcessConfig ReadProcess(string path)
    {
        if (!File.Exists(path)) throw new VnfPackageException($"{path} is missing: it holds the VNF's Entrypoint, Env, User and org.cpe.vnf.* Labels");
        try { return JsonSerializer.Deserialize(File.ReadAllBytes(path), OciJson.Default.OciProcessConfig) ?? throw new VnfPackageException($"{path} is empty"); }
        catch (JsonException e) { throw new VnfPackageException($"{path} is not valid JSON: {e.Message}", e); }
    }

    static void WriteFile(TarWriter writer, string name, byte[] bytes)
    {
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = new MemoryStream(bytes, writable: false),
            Mode = (UnixFileMode)0x1A4,   // 0644
            ModificationTime = DateTimeOffset.UnixEpoch,
        };
        writer.WriteEntry(entry);
    }

    /// <summary>An OCI layout read from a folder or from an oci-archive tar.</summary>
    sealed class LayoutSource : IDisposable
    {
        readonly string? _folder;
        readonly PackageArchive? _archive;

        LayoutSource(string? folder, PackageArchive? archive) { _folder = folder; _archive = archive; }

        public static LayoutSource Open(string path) =>
            Directory.Exists(path) ? new LayoutSource(path, null) : new LayoutSource(null, new PackageArchive(path));

        public byte[] Read(string name) => _archive?.ReadAll(name, 1L << 31) ?? File.ReadAllBytes(Path.Combine(_folder!, name));

        public byte[] Blob(string digest)
        {
            byte[] bytes = Read(VnfPackage.BlobPath(digest));
            if (DigestStream.Sha256Digest(bytes) != digest) throw new VnfPackageException($"blob {digest} of the layout does not match its digest");
            return bytes;
        }

        public void Dispose() => _archive?.Dispose();
    }

}
