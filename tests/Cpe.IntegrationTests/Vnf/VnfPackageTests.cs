using System.Text;
using Cpe.TestKit;
using Cpe.Vnf.Packages;
using Cpe.Vnf.Store;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>
/// Signed VNF packages end to end with real parts: packed by our tool and by skopeo, signed by us and by openssl cms,
/// verified by openssl, unpacked by the image store and compared with umoci's unpack of the same image.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class VnfPackageTests : IDisposable
{
    readonly PackageLab _lab = new();
    readonly TempFolder _store = new("cpe-vnf-store-");

    ImageStore NewStore(long quota = 1L << 30) => new(_store.Path, quota);

    [Fact]
    public void A_signed_package_is_verified_stored_and_unpacked_and_openssl_verifies_its_signature()
    {
        string path = _lab.SignedPackage("fw.tar");
        using var package = VnfPackage.Open(path, _lab.Anchors);
        Assert.Equal("fw", package.Descriptor.Name);
        Assert.Equal(["CAP_NET_RAW"], package.Descriptor.Capabilities);
        Assert.Equal("CN=Vendor VNF signer", package.Signer.Subject);

        using var store = NewStore();
        var image = store.Add(package, DateTimeOffset.UtcNow);
        string rootfs = store.RootFsPath(image.ManifestDigest);
        Assert.Equal("#!/bin/sh\necho hello\n", File.ReadAllText(Path.Combine(rootfs, "bin/fw")));
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(rootfs, "bin/fw")));
        Assert.Equal("fw", new FileInfo(Path.Combine(rootfs, "bin/firewall")).LinkTarget);
        Assert.True(Directory.Exists(Path.Combine(rootfs, "var/empty")));
        Assert.Equal("fw:1.0.0", Assert.Single(store.Images()).Reference);

        // openssl checks our detached signature over the manifest digest against the vendor CA.
        using (var archive = new PackageArchive(path)) File.WriteAllBytes(_lab.Dir["sig.p7s"], archive.ReadAll(PackageSignature.FileName, 1 << 20));
        File.WriteAllText(_lab.Dir["digest"], package.ManifestDigest);
        string verified = Command.Run("/bin/sh", ["-c", $"openssl cms -verify -binary -inform DER -in {_lab.Dir["sig.p7s"]} -content {_lab.Dir["digest"]} -CAfile {_lab.Dir["vendor-ca.pem"]} -purpose any -out /dev/null 2>&1"]);
        Assert.Contains("Verification successful", verified);
    }

    [Fact]
    public void A_signature_made_by_openssl_cms_with_the_owner_key_is_accepted()
    {
        string path = _lab.PackFolder("owner.tar");
        File.WriteAllText(_lab.Dir["owner-digest"], PackageWriter.ManifestDigest(path));
        Command.Run("openssl", ["cms", "-sign", "-binary", "-in", _lab.Dir["owner-digest"], "-signer", _lab.Dir["owner.pem"], "-inkey", _lab.Dir["owner.key"],
            "-outform", "DER", "-out", _lab.Dir["owner.p7s"], "-md", "sha256"]);
        PackageWriter.AttachSignature(path, File.ReadAllBytes(_lab.Dir["owner.p7s"]));
        using var package = VnfPackage.Open(path, _lab.Anchors);
        Assert.Equal("CN=Owner", package.Signer.Subject);
    }

    [Fact]
    public void One_changed_byte_anywhere_a_wrong_signer_or_no_signature_is_refused_and_nothing_is_unpacked()
    {
        string good = _lab.SignedPackage("good.tar");
        byte[] original = File.ReadAllBytes(good);
        using var store = NewStore();
        // Every byte: headers, JSON, blobs, the signature, padding, the end blocks.
        var positions = Enumerable.Range(0, original.Length).ToList();
        var accepted = new List<int>();
        string bad = _lab.Dir["bad.tar"];
        foreach (int at in positions)
        {
            var copy = (byte[])original.Clone();
            copy[at] ^= 0x20;
            File.WriteAllBytes(bad, copy);
            try
            {
                using var package = VnfPackage.Open(bad, _lab.Anchors);
                store.Add(package, DateTimeOffset.UtcNow);
                accepted.Add(at);
                store.Delete("fw:1.0.0");   // so that the next attempt starts from an empty store again
            }
            catch (VnfPackageException) { }
        }
        string Around(int at) => $"{at} ('{Encoding.ASCII.GetString(original, Math.Max(0, at - 12), Math.Min(24, original.Length - Math.Max(0, at - 12))).ReplaceLineEndings(" ")}')";
        Assert.True(accepted.Count == 0, $"accepted with a changed byte at {string.Join(", ", accepted.Select(Around))} of {original.Length}");
        AssertStoreEmpty(store);

        // Signed by someone under no trusted anchor.
        string stranger = _lab.PackFolder("stranger.tar");
        PackageWriter.Sign(stranger, _lab.Stranger);
        var e = Assert.Throws<VnfPackageException>(() => VnfPackage.Open(stranger, _lab.Anchors));
        Assert.Contains("CN=Stranger, which is not under the vendor's or the owner's trust anchor", e.Message);

        string unsigned = _lab.PackFolder("unsigned.tar");
        e = Assert.Throws<VnfPackageException>(() => VnfPackage.Open(unsigned, _lab.Anchors));
        Assert.Contains("is not signed", e.Message);

        // A truncated package.
        File.WriteAllBytes(bad, original[..(original.Length / 2)]);
        Assert.Throws<VnfPackageException>(() => VnfPackage.Open(bad, _lab.Anchors));
        AssertStoreEmpty(store);
    }

    void AssertStoreEmpty(ImageStore store)
    {
        Assert.Empty(store.Images());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_store.Path, "rootfs")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_store.Path, "blobs/sha256")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_store.Path, "tmp")));
    }

    [Fact]
    public void Layers_with_whiteouts_unpack_to_the_same_tree_as_umoci_and_a_zstd_layer_to_the_same_tree_again()
    {
        string layout = _lab.LayeredLayout("layout");
        string path = _lab.Dir["layered.tar"];
        PackageWriter.PackLayout(layout, "1.0.0", null, path);
        PackageWriter.Sign(path, _lab.Owner);
        using var package = VnfPackage.Open(path, _lab.Anchors);
        using var store = NewStore();
        var image = store.Add(package, DateTimeOffset.UtcNow);
        string ours = store.RootFsPath(image.ManifestDigest);

        // umoci unpacks the very same package (as an OCI layout folder).
        string extracted = _lab.Dir["extracted"];
        Directory.CreateDirectory(extracted);
        Command.Run("tar", ["-xf", path, "-C", extracted]);
        Command.Run("umoci", ["unpack", "--image", $"{extracted}:1.0.0", _lab.Dir["bundle"]]);
        // umoci keeps set-user-ID bits; the store drops them (a VNF runs with no_new_privs, and the store is on the box's own disk).
        var theirs = PackageLab.Tree(Path.Combine(_lab.Dir["bundle"], "rootfs")).Select(l => l.StartsWith("setuid f 4755 ", StringComparison.Ordinal) ? "setuid f 755 " + l[14..] : l).ToList();
        Assert.Contains(theirs, l => l.StartsWith("setuid f 755 ", StringComparison.Ordinal));
        Assert.Equal(theirs, PackageLab.Tree(ours));
        // And what the whiteouts did, stated plainly.
        Assert.False(File.Exists(Path.Combine(ours, "etc/gone")));
        Assert.Equal(["new"], Directory.EnumerateFileSystemEntries(Path.Combine(ours, "opaque")).Select(Path.GetFileName));
        Assert.Equal("etc", new FileInfo(Path.Combine(ours, "dir-to-link")).LinkTarget);
        Assert.Equal("changed\n", File.ReadAllText(Path.Combine(ours, "etc/keep")));

        // The same layers with the upper one zstd-compressed (umoci 0.4 reads no zstd): the same tree.
        string zstd = _lab.Dir["layered-zstd.tar"];
        PackageWriter.PackLayout(_lab.LayeredLayout("layout-zstd", OciMediaTypes.LayerZstd), "1.0.0", PackageLab.Labels("layered-zstd"), zstd);
        PackageWriter.Sign(zstd, _lab.Owner);
        using var zstdPackage = VnfPackage.Open(zstd, _lab.Anchors);
        Assert.Equal(OciMediaTypes.LayerZstd, zstdPackage.Manifest.Layers[1].MediaType);
        var zstdImage = store.Add(zstdPackage, DateTimeOffset.UtcNow);
        Assert.Equal(theirs, PackageLab.Tree(store.RootFsPath(zstdImage.ManifestDigest)));
    }

    [Fact]
    public void An_oci_archive_made_by_skopeo_is_repacked_with_labels_and_accepted()
    {
        string layout = _lab.LayeredLayout("skopeo-src");
        string archive = _lab.Dir["skopeo.tar"];
        Command.Run("skopeo", ["copy", "--quiet", $"oci:{layout}:1.0.0", $"oci-archive:{archive}:1.0.0"]);
        string path = _lab.Dir["from-skopeo.tar"];
        PackageWriter.PackLayout(archive, null, PackageLab.Labels("from-skopeo", "2.0.0"), path);
        PackageWriter.Sign(path, _lab.VendorSigner);
        using var package = VnfPackage.Open(path, _lab.Anchors);
        Assert.Equal(("from-skopeo", "2.0.0"), (package.Descriptor.Name, package.Descriptor.Version));
        using var store = NewStore();
        store.Add(package, DateTimeOffset.UtcNow);
        Assert.Equal("from-skopeo:2.0.0", Assert.Single(store.Images()).Reference);
    }

    [Fact]
    public void Held_images_are_kept_garbage_is_collected_and_the_quota_is_enforced()
    {
        using var store = NewStore();
        string v1 = _lab.SignedPackage("v1.tar", "1.0.0", "one");
        string v2 = _lab.SignedPackage("v2.tar", "2.0.0", "two");
        ImageRecord first, second;
        using (var p = VnfPackage.Open(v1, _lab.Anchors)) first = store.Add(p, DateTimeOffset.UtcNow);
        using (var p = VnfPackage.Open(v1, _lab.Anchors)) Assert.Equal(first.ManifestDigest, store.Add(p, DateTimeOffset.UtcNow).ManifestDigest);
        using (var p = VnfPackage.Open(v2, _lab.Anchors)) second = store.Add(p, DateTimeOffset.UtcNow);
        Assert.Equal(2, store.Images("fw").Count);

        // The same version with other content is refused: versions name content.
        string changed = _lab.SignedPackage("v1-changed.tar", "1.0.0", "changed");
        using (var p = VnfPackage.Open(changed, _lab.Anchors))
            Assert.Contains("a changed image needs a new version", Assert.Throws<ImageStoreException>(() => store.Add(p, DateTimeOffset.UtcNow)).Message);

        store.Hold(first.ManifestDigest, "vnf fw");
        Assert.Contains("in use by vnf fw", Assert.Throws<ImageStoreException>(() => store.Delete("fw:1.0.0")).Message);
        long freed = store.Delete("fw:2.0.0");
        Assert.True(freed > 0);
        Assert.False(Directory.Exists(store.RootFsPath(second.ManifestDigest)));
        store.Release(first.ManifestDigest, "vnf fw");
        store.Delete("fw:1.0.0");
        AssertStoreEmpty(store);

        // Litter from an interrupted add is garbage too.
        Directory.CreateDirectory(Path.Combine(_store.Path, "tmp/interrupted"));
        File.WriteAllText(Path.Combine(_store.Path, "blobs/sha256", new string('a', 64)), "orphan");
        store.CollectGarbage();
        AssertStoreEmpty(store);

        using var small = new ImageStore(_store.Path, 1024);
        using var package = VnfPackage.Open(v1, _lab.Anchors);
        var quota = Assert.Throws<ImageStoreQuotaException>(() => small.Add(package, DateTimeOffset.UtcNow));
        Assert.Contains("of its 1024 bytes free", quota.Message);
        AssertStoreEmpty(small);
    }

    public void Dispose()
    {
        _lab.Dispose();
        _store.Dispose();
    }
}
