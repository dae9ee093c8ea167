using Cpe.Vnf.Packages;

namespace Cpe.Vnf.Store;

/// <summary>
/// The box's VNF images (docs/reference/vnf-image-store.md): blobs kept by sha-256 under blobs/sha256/, each image's
/// layers unpacked once into rootfs/HEX (the read-only lower layer of its instances), an SQLite index, holders that
/// stop an image in use from being deleted, garbage collection, and a disk quota. An add is staged under tmp/ and
/// moved in only when every digest checked out, so a bad or interrupted add leaves nothing behind.
/// </summary>
public sealed class ImageStore : IDisposable
{
    readonly string _root;
    readonly ImageIndex _index;

    public long QuotaBytes { get; }

    public ImageStore(string root, long quotaBytes)
    {
        _root = root;
        QuotaBytes = quotaBytes;
        foreach (var d in new[] { "blobs/sha256", "rootfs", "tmp" }) Directory.CreateDirectory(Path.Combine(root, d));
        _index = new ImageIndex(Path.Combine(root, "index.db"));
    }

    public IReadOnlyList<ImageRecord> Images(string? name = null) => _index.Images(name);

    /// <summary>Bytes the store's blobs and unpacked trees take (file contents).</summary>
    public long UsedBytes => _index.Images().Sum(i => i.RootFsBytes) + _index.BlobDigests().Sum(BlobSize);

    public string RootFsPath(string manifestDigest) => Path.Combine(_root, "rootfs", Hex(manifestDigest));

    public ImageRecord Find(string reference) =>
        _index.Images().Where(i => i.Reference == reference || i.ManifestDigest == reference || i.Name == reference).ToList() switch
        {
            [var one] => one,
            [] => throw new ImageStoreException($"no VNF image {reference} in the store"),
            var several => throw new ImageStoreException($"{reference} has {several.Count} versions in the store; name one as NAME:VERSION"),
        };

    /// <summary>The image a configuration names: NAME:VERSION exactly, or NAME alone for the version added last; null if none.</summary>
    public ImageRecord? Resolve(string reference) =>
        _index.Images().Where(i => i.Reference == reference || i.Name == reference).OrderByDescending(i => i.AddedAt).FirstOrDefault();

    /// <summary>An image's configuration (its process and labels), from the config blob checked when the image was added.</summary>
    public OciImageConfig ImageConfig(ImageRecord image) =>
        System.Text.Json.JsonSerializer.Deserialize(File.ReadAllBytes(BlobPath(image.ConfigDigest)), OciJson.Default.OciImageConfig)
            ?? throw new ImageStoreException($"{image.Reference}: its config blob is empty");

    /// <summary>Stores a verified package: its blobs as they came and its layers unpacked. Adding the same image again changes nothing.</summary>
    public ImageRecord Add(VnfPackage package, DateTimeOffset now)
    {
        var d = package.Descriptor;
        var existing = _index.Images(d.Name);
        if (existing.FirstOrDefault(i => i.ManifestDigest == package.ManifestDigest) is { } same)
        {
            package.VerifyAllBlobs();   // a tampered copy of a stored image is refused all the same
            return same;
        }
        if (existing.FirstOrDefault(i => i.Version == d.Version) is { } clash)
            throw new ImageStoreException($"{d.Name}:{d.Version} is already in the store as {clash.ManifestDigest}; a changed image needs a new version");

        var blobs = new List<OciDescriptor> { new(OciMediaTypes.Manifest, package.ManifestDigest, package.ManifestBytes.Length), package.Manifest.Config };
        blobs.AddRange(package.Manifest.Layers);
        var have = _index.BlobDigests();
        long newBlobBytes = blobs.Where(b => !have.Contains(b.Digest)).DistinctBy(b => b.Digest).Sum(b => b.Size);
        long free = QuotaBytes - UsedBytes;
        if (newBlobBytes > free)
            throw new ImageStoreQuotaException($"{d.Name}:{d.Version} needs {newBlobBytes} bytes for its blobs and more to unpack; the image store has {Math.Max(free, 0)} of its {QuotaBytes} bytes free");

        string staging = Path.Combine(_root, "tmp", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var blob in blobs.DistinctBy(b => b.Digest).Where(b => !have.Contains(b.Digest)))
                CopyBlob(package, blob, Path.Combine(staging, Hex(blob.Digest)));
            string rootfs = Path.Combine(staging, "rootfs");
            Directory.CreateDirectory(rootfs);
            var unpacker = new LayerUnpacker(rootfs);
            // From the store's copy, checked when it was copied, not from the package file, which could change meanwhile.
            unpacker.ApplyAll(package, layer => File.OpenRead(have.Contains(layer.Digest) ? BlobPath(layer.Digest) : Path.Combine(staging, Hex(layer.Digest))),
                free - newBlobBytes);

            // Everything checked out: move in, blobs first, then the tree, then the index that names them.
            foreach (var blob in Directory.EnumerateFiles(staging))
                File.Move(blob, BlobPath("sha256:" + Path.GetFileName(blob)), overwrite: true);
            string target = RootFsPath(package.ManifestDigest);
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            Directory.Move(rootfs, target);
            var record = new ImageRecord(d.Name, d.Version, package.ManifestDigest, package.Manifest.Config.Digest, package.Signer.Subject,
                now, 0, unpacker.BytesWritten, []);
            _index.Add(record, blobs.Select(b => (b.Digest, b.Size)));
            return Find(package.ManifestDigest);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Marks <paramref name="holder"/> (e.g. "vnf firewall") as using the image, so it is not deleted.</summary>
    public void Hold(string manifestDigest, string holder) => _index.Hold(manifestDigest, holder);

    public void Release(string manifestDigest, string holder) => _index.Release(manifestDigest, holder);

    /// <summary>Deletes an image nothing holds, then collects the garbage it leaves.</summary>
    public long Delete(string reference)
    {
        var image = Find(reference);
        if (image.Holders.Count > 0)
            throw new ImageStoreException($"{image.Reference} is in use by {string.Join(", ", image.Holders)}; remove it from the configuration first");
        _index.Remove(image.ManifestDigest);
        return CollectGarbage();
    }

    /// <summary>
    /// Removes what no image uses: blobs, unpacked trees, and staging left by an interrupted add. Returns the bytes freed.
    /// </summary>
    public long CollectGarbage()
    {
        long freed = 0;
        _index.DropUnusedBlobs();
        var blobs = _index.BlobDigests().Select(Hex).ToHashSet();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_root, "blobs/sha256")))
        {
            if (blobs.Contains(Path.GetFileName(file))) continue;
            freed += new FileInfo(file).Length;
            File.Delete(file);
        }
        var images = _index.Images();
        var trees = images.Select(i => Hex(i.ManifestDigest)).ToHashSet();
        foreach (var dir in Directory.EnumerateDirectories(Path.Combine(_root, "rootfs")))
        {
            if (trees.Contains(Path.GetFileName(dir))) continue;
            freed += TreeBytes(dir);
            Directory.Delete(dir, recursive: true);
        }
        foreach (var dir in Directory.EnumerateFileSystemEntries(Path.Combine(_root, "tmp")))
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); else File.Delete(dir);
        }
        return freed;
    }

    static void CopyBlob(VnfPackage package, OciDescriptor blob, string path)
    {
        using var source = package.OpenBlob(blob);
        using (var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            source.CopyTo(target);
            target.Flush(flushToDisk: true);
        }
        source.VerifyToEnd();
    }

    string BlobPath(string digest) => Path.Combine(_root, "blobs/sha256", Hex(digest));

    long BlobSize(string digest) => new FileInfo(BlobPath(digest)) is { Exists: true } f ? f.Length : 0;

    static string Hex(string digest) => digest["sha256:".Length..];

    static long TreeBytes(string dir) =>
        new DirectoryInfo(dir).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(f => f.LinkTarget is null).Sum(f => f.Length);

    public void Dispose() => _index.Dispose();
}
