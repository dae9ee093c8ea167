using System.IO.Compression;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Cpe.Vnf.Packages;

/// <summary>
/// A package whose signature, manifest and config were checked (docs/reference/vnf-package.md): opening one reads
/// only index.json, the signature, the manifest and the config, in that order, and refuses the package before any
/// layer is touched. Layers are then read through <see cref="OpenLayer"/>, which checks their digests as they stream.
/// </summary>
public sealed class VnfPackage : IDisposable
{
    const long JsonLimit = 4 << 20;
    readonly PackageArchive _archive;

    public string ManifestDigest { get; }
    public OciManifest Manifest { get; }
    public byte[] ManifestBytes { get; }
    public OciImageConfig Config { get; }
    public byte[] ConfigBytes { get; }
    public VnfDescriptor Descriptor { get; }
    public X509Certificate2 Signer { get; }
    public string Path => _archive.Path;

    VnfPackage(PackageArchive archive, string manifestDigest, byte[] manifestBytes, OciManifest manifest, byte[] configBytes, OciImageConfig config, X509Certificate2 signer)
    {
        _archive = archive;
        ManifestDigest = manifestDigest;
        ManifestBytes = manifestBytes;
        Manifest = manifest;
        ConfigBytes = configBytes;
        Config = config;
        Signer = signer;
        Descriptor = VnfDescriptor.FromLabels(config.Config?.Labels);
    }

    public static VnfPackage Open(string path, IReadOnlyList<X509Certificate2> anchors)
    {
        var archive = new PackageArchive(path);
        try { return Verify(archive, anchors); }
        catch { archive.Dispose(); throw; }
    }

    static VnfPackage Verify(PackageArchive archive, IReadOnlyList<X509Certificate2> anchors)
    {
        string name = System.IO.Path.GetFileName(archive.Path);
        if (!archive.Contains("oci-layout") || !IsLayoutFile(RequireUtf8(archive.ReadAll("oci-layout", 4096), name, "oci-layout")))
            throw new VnfPackageException($"{name} is not an OCI image layout (oci-layout with imageLayoutVersion 1.0.0)");
        byte[] indexBytes = RequireUtf8(archive.ReadAll("index.json", JsonLimit), name, "index.json");
        // No field of the index needs an escape, and "\u002B" and "\u002b" would read the same: one spelling only.
        if (indexBytes.AsSpan().Contains((byte)'\\')) throw new VnfPackageException($"{name}: index.json holds a JSON escape; a package's index needs none");
        RequireOnlyKnownIndexFields(indexBytes, name);
        var index = Parse(indexBytes, OciJson.Default.OciIndex, name, "index.json");
        if (index.MediaType is not (null or OciMediaTypes.Index)) throw new VnfPackageException($"{name}: index.json has media type {index.MediaType}");
        if (index.SchemaVersion != 2) throw new VnfPackageException($"{name}: index.json has schemaVersion {index.SchemaVersion}, expected 2");
        if (index.Manifests is not [var entry])
            throw new VnfPackageException($"{name}: index.json lists {index.Manifests?.Count ?? 0} manifests; a VNF package holds exactly one image");
        if (!OciMediaTypes.IsManifest(entry.MediaType)) throw new VnfPackageException($"{name}: index.json points at a {entry.MediaType}, not an image manifest");

        // The signature first: nothing the signature does not cover is believed.
        if (!archive.Contains(PackageSignature.FileName)) throw new VnfPackageException($"{name} is not signed ({PackageSignature.FileName} is missing)");
        RequireDigest(entry, name);
        var signer = PackageSignature.Verify(archive.ReadAll(PackageSignature.FileName, 1 << 20), entry.Digest, anchors, name);

        byte[] manifestBytes = ReadBlob(archive, entry, name, "the manifest");
        var manifest = Parse(manifestBytes, OciJson.Default.OciManifest, name, "the manifest");
        if (manifest.SchemaVersion != 2 || manifest.Config is null || manifest.Layers is null)
            throw new VnfPackageException($"{name}: the manifest is not an OCI image manifest (schemaVersion 2 with a config and layers)");
        if (!OciMediaTypes.IsConfig(manifest.Config.MediaType)) throw new VnfPackageException($"{name}: the manifest's config is a {manifest.Config.MediaType}");
        byte[] configBytes = ReadBlob(archive, manifest.Config, name, "the image config");
        var config = Parse(configBytes, OciJson.Default.OciImageConfig, name, "the image config");
        if (config.Os != "linux" || config.Architecture != "amd64")
            throw new VnfPackageException($"{name} is for {config.Os}/{config.Architecture}; this box runs linux/amd64");
        if (config.RootFs?.DiffIds is not { } diffIds || diffIds.Count != manifest.Layers.Count)
            throw new VnfPackageException($"{name}: the config lists {config.RootFs?.DiffIds?.Count ?? 0} layer diff ids for {manifest.Layers.Count} layers");
        for (int i = 0; i < manifest.Layers.Count; i++)
        {
            var layer = manifest.Layers[i];
            RequireDigest(layer, name);
            if (!DigestStream.IsSha256(diffIds[i])) throw new VnfPackageException($"{name}: diff id {i} '{diffIds[i]}' is not a sha256 digest");
            if (Decompression(layer.MediaType) is null) throw new VnfPackageException($"{name}: layer {layer.Digest} is a {layer.MediaType}; accepted are tar, tar+gzip and tar+zstd");
            string blob = BlobPath(layer.Digest);
            if (!archive.Contains(blob) || archive.LengthOf(blob) != layer.Size)
                throw new VnfPackageException($"{name}: layer {layer.Digest} is missing or not {layer.Size} bytes");
        }
        var package = new VnfPackage(archive, entry.Digest, manifestBytes, manifest, configBytes, config, signer);
        // The index is outside the signature: what it may say besides the manifest's digest must agree with what is signed.
        if (entry.Annotations?.GetValueOrDefault(RefName) is string tag && tag != package.Descriptor.Version)
            throw new VnfPackageException($"{name}: index.json names the image '{tag}', but it is version {package.Descriptor.Version}");
        return package;
    }

    static bool IsLayoutFile(byte[] json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false });
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.EnumerateObject().ToList() is [{ Name: "imageLayoutVersion" } p]
                && p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() == "1.0.0";
        }
        catch (JsonException) { return false; }
    }

    const string RefName = "org.opencontainers.image.ref.name";

    /// <summary>index.json and oci-layout are not covered by the signature, so they may hold nothing the box would ignore.</summary>
    static void RequireOnlyKnownIndexFields(byte[] json, string name)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false });
            Require(doc.RootElement, ["schemaVersion", "mediaType", "manifests"], "index.json");
            if (doc.RootElement.TryGetProperty("manifests", out var manifests) && manifests.ValueKind == JsonValueKind.Array)
                foreach (var m in manifests.EnumerateArray())
                {
                    Require(m, ["mediaType", "digest", "size", "annotations"], "index.json's manifest entry");
                    if (m.TryGetProperty("annotations", out var a)) Require(a, [RefName], "index.json's annotations");
                }
        }
        catch (JsonException e) { throw new VnfPackageException($"{name}: index.json is not valid JSON ({e.Message})", e); }

        void Require(JsonElement e, string[] allowed, string what)
        {
            if (e.ValueKind != JsonValueKind.Object) throw new VnfPackageException($"{name}: {what} is not a JSON object");
            foreach (var p in e.EnumerateObject())
                if (!allowed.Contains(p.Name)) throw new VnfPackageException($"{name}: {what} has '{p.Name}', which a VNF package may not use there");
        }
    }

    /// <summary>
    /// Layer <paramref name="index"/> as an uncompressed tar stream. The compressed bytes are checked against the
    /// layer's digest and the uncompressed ones against its diff id; a mismatch fails the read at the end, so call
    /// <see cref="LayerStream.VerifyToEnd"/> after consuming it.
    /// </summary>
    public LayerStream OpenLayer(int index) => OpenLayer(index, OpenPackedBlob(Manifest.Layers[index]));

    /// <summary>A blob's bytes as packed, unchecked: for <see cref="OpenLayer(int, Stream)"/>, which checks them.</summary>
    public Stream OpenPackedBlob(OciDescriptor blob) => _archive.Open(BlobPath(blob.Digest));

    /// <summary>Layer <paramref name="index"/> read from <paramref name="blob"/>, e.g. the image store's verified copy.</summary>
    public LayerStream OpenLayer(int index, Stream blob)
    {
        var layer = Manifest.Layers[index];
        string what = $"layer {layer.Digest}";
        var compressed = new DigestStream(blob, layer.Digest, layer.Size, what);
        var decompress = Decompression(layer.MediaType)!;
        var tar = decompress(compressed);
        return new LayerStream(new DigestStream(tar, Config.RootFs.DiffIds[index], null, $"{what} (uncompressed)"), compressed);
    }

    /// <summary>The blob's bytes exactly as stored in the package (for the image store, which keeps blobs as they came).</summary>
    public DigestStream OpenBlob(OciDescriptor blob) => new DigestStream(_archive.Open(BlobPath(blob.Digest)), blob.Digest, blob.Size, $"blob {blob.Digest}");

    /// <summary>Reads every blob through its digest check, e.g. for a package whose image the store already holds.</summary>
    public void VerifyAllBlobs()
    {
        foreach (var layer in Manifest.Layers)
        {
            using var blob = OpenBlob(layer);
            blob.VerifyToEnd();
        }
    }

    public static string BlobPath(string digest) => "blobs/sha256/" + digest["sha256:".Length..];

    static Func<Stream, Stream>? Decompression(string mediaType) => mediaType switch
    {
        OciMediaTypes.Layer => s => s,
        OciMediaTypes.LayerGzip or OciMediaTypes.DockerLayerGzip => s => new GZipStream(s, CompressionMode.Decompress),
        OciMediaTypes.LayerZstd => s => new ZstdDecompressStream(s),
        _ => null,
    };

    static byte[] ReadBlob(PackageArchive archive, OciDescriptor descriptor, string name, string what)
    {
        RequireDigest(descriptor, name);
        string path = BlobPath(descriptor.Digest);
        if (!archive.Contains(path)) throw new VnfPackageException($"{name}: {what} {descriptor.Digest} is not in the package");
        byte[] bytes = archive.ReadAll(path, Math.Min(descriptor.Size, JsonLimit));
        if (bytes.Length != descriptor.Size || DigestStream.Sha256Digest(bytes) != descriptor.Digest)
            throw new VnfPackageException($"{name}: {what} does not match its digest {descriptor.Digest}");
        return bytes;
    }

    static void RequireDigest(OciDescriptor d, string name)
    {
        if (!DigestStream.IsSha256(d.Digest ?? "") || d.Size < 0) throw new VnfPackageException($"{name}: '{d.Digest}' is not a sha256 digest with a size");
    }

    /// <summary>
    /// JSON text must be UTF-8 (RFC 8259 §8.1); System.Text.Json checks that only when a string is read, and then
    /// throws what is not a JSON error, so every document is checked whole before it is parsed.
    /// </summary>
    static byte[] RequireUtf8(byte[] json, string name, string what) =>
        System.Text.Unicode.Utf8.IsValid(json) ? json : throw new VnfPackageException($"{name}: {what} is not UTF-8 text");

    static T Parse<T>(byte[] json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string name, string what)
    {
        RequireUtf8(json, name, what);
        try { return JsonSerializer.Deserialize(json, type) ?? throw new VnfPackageException($"{name}: {what} is null"); }
        catch (JsonException e) { throw new VnfPackageException($"{name}: {what} is not valid JSON ({e.Message})", e); }
    }

    public void Dispose() => _archive.Dispose();
}

/// <summary>An uncompressed layer being read: both digests are checked by <see cref="VerifyToEnd"/>.</summary>
public sealed class LayerStream(DigestStream uncompressed, DigestStream compressed) : ReadOnlyStream
{
    public void VerifyToEnd()
    {
        uncompressed.VerifyToEnd();
        compressed.VerifyToEnd();
    }

    public override int Read(Span<byte> buffer) => uncompressed.Read(buffer);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => uncompressed.ReadAsync(buffer, ct);
    protected override void Dispose(bool disposing)
    {
        if (disposing) uncompressed.Dispose();
        base.Dispose(disposing);
    }

    public override long Position { get => uncompressed.Position; set => throw new NotSupportedException(); }
}
