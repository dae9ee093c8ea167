using System.Formats.Tar;
using System.IO.Compression;
using Cpe.TestKit;
using Cpe.Vnf.Packages;
using Cpe.Vnf.Store;
using static Cpe.IntegrationTests.Vnf.PackageLab;

namespace Cpe.IntegrationTests.Vnf;

/// <summary>
/// Validly signed packages whose layers try to reach outside the root being built, or to smuggle in what the box
/// must not hold. The image store confines or refuses each, and cpe-vnf verify, which unpacks through the same
/// code, says exactly what the store says.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class HostileLayerTests : IDisposable
{
    readonly PackageLab _lab = new();
    readonly TempFolder _store = new("cpe-vnf-hostile-");

    ImageStore NewStore(long quota = 1L << 30) => new(_store.Path, quota);

    /// <summary>The store refuses the package with a message containing <paramref name="expected"/>, and holds nothing after.</summary>
    void AssertRefused(string package, string expected, long quota = 1L << 30, bool verifyRefuses = true)
    {
        using (var store = NewStore(quota))
        {
            using var opened = VnfPackage.Open(package, _lab.Anchors);   // the signature is good: only the layer is hostile
            var e = Assert.ThrowsAny<Exception>(() => store.Add(opened, DateTimeOffset.UtcNow));
            Assert.True(e is VnfPackageException or ImageStoreQuotaException, e.ToString());
            Assert.Contains(expected, e.Message);
            Assert.Empty(store.Images());
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_store.Path, "tmp")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_store.Path, "rootfs")));
        if (!verifyRefuses) return;
        var verify = VerifyTool(package);
        Assert.True(verify.ExitCode == 1, $"cpe-vnf verify passed what the box refuses: {verify.Output}");
        Assert.Contains(expected, verify.Error);
    }

    (int ExitCode, string Output, string Error) VerifyTool(string package)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Binaries.VnfTool, ["verify", "--package", package, "--trust", _lab.Dir["owner.pem"]])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var error = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output, error.Result);
    }

    [Fact]
    public void A_whiteout_of_dot_dot_is_refused_before_it_deletes_anything()
    {
        // ".wh.." + "." whites out "..": above the rootfs is the store's staging folder for this add.
        AssertRefused(_lab.SignedSingleLayer("whiteout-up", TarFile("bin/tool", "x"), TarFile(".wh...", "")), "is a whiteout that names no entry");
        AssertRefused(_lab.SignedSingleLayer("whiteout-in", TarFile("bin/tool", "x"), TarFile("bin/.wh...", "")), "is a whiteout that names no entry");
        AssertRefused(_lab.SignedSingleLayer("whiteout-empty", TarFile("bin/tool", "x"), TarFile("bin/.wh.", "")), "is a whiteout that names no entry");
    }

    [Fact]
    public void Names_with_dot_dot_are_refused_and_absolute_names_stay_inside_the_root()
    {
        AssertRefused(_lab.SignedSingleLayer("dotdot", TarFile("../escaped", "x")), "reaches outside the image's root");
        AssertRefused(_lab.SignedSingleLayer("dotdot-deep", TarFile("a/b/../../../escaped", "x")), "reaches outside the image's root");
        AssertRefused(_lab.SignedSingleLayer("hardlink-up", TarFile("bin/tool", "x"), TarHardLink("bin/shadow", "../../etc/shadow")), "reaches outside the image's root");

        string marker = $"cpe-hostile-{Guid.NewGuid():N}";
        string package = _lab.SignedSingleLayer("absolute", TarFile($"/tmp/{marker}", "inside"), TarSymlink("out", "/tmp"), TarFile($"out/{marker}-through-link", "inside too"),
            TarSymlink("up", "../../../../../.."), TarFile($"up/tmp/{marker}-up", "and this"));
        using var store = NewStore();
        using var opened = VnfPackage.Open(package, _lab.Anchors);
        string rootfs = store.RootFsPath(store.Add(opened, DateTimeOffset.UtcNow).ManifestDigest);
        foreach (var name in new[] { marker, marker + "-through-link", marker + "-up" })
        {
            Assert.False(File.Exists(Path.Combine("/tmp", name)), $"/tmp/{name} was written outside the image's root");
            Assert.True(File.Exists(Path.Combine(rootfs, "tmp", name)), $"{name} is not inside the image's root");
        }
        Assert.Equal(0, VerifyTool(package).ExitCode);
    }

    [Fact]
    public void A_hard_link_to_a_file_the_layers_do_not_hold_device_nodes_and_set_user_id_bits()
    {
        AssertRefused(_lab.SignedSingleLayer("hardlink-out", TarFile("bin/tool", "x"), TarHardLink("bin/passwd", "/etc/passwd")), "which the layers do not hold");
        AssertRefused(_lab.SignedSingleLayer("device", new PaxTarEntry(TarEntryType.CharacterDevice, "dev/mem") { DeviceMajor = 1, DeviceMinor = 1 }),
            "is a CharacterDevice");

        string package = _lab.SignedSingleLayer("setuid", TarFile("bin/su", "#!/bin/sh\n", 0xDED /* 06755 */));
        using var store = NewStore();
        using var opened = VnfPackage.Open(package, _lab.Anchors);
        string rootfs = store.RootFsPath(store.Add(opened, DateTimeOffset.UtcNow).ManifestDigest);
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(rootfs, "bin/su")));   // 0755: no set-user-ID, no set-group-ID
    }

    [Fact]
    public void A_file_larger_than_the_store_has_room_for_is_refused_before_it_is_written()
    {
        // 256 MiB of zeros packs into a quarter of a megabyte: the store must refuse on the size the tar declares.
        var zeros = new PaxTarEntry(TarEntryType.RegularFile, "var/big") { DataStream = new ZeroStream(256L << 20) };
        string package = _lab.SignedSingleLayer("big", zeros);
        // Room is the box's own: the vendor's verify cannot know it, and passes.
        AssertRefused(package, "var/big is 268435456 bytes", quota: 64L << 20, verifyRefuses: false);
    }

    [Fact]
    public void A_gnu_sparse_file_is_refused_by_its_type_not_unpacked_to_its_full_size()
    {
        // GNU tar records a 300 MiB file of one hole in a few kilobytes (type 'S'); the store takes regular files only.
        string folder = _lab.Dir["sparse-src"];
        Directory.CreateDirectory(folder);
        Command.Run("truncate", ["-s", "300M", Path.Combine(folder, "big")]);
        Command.Run("tar", ["--sparse", "--format=gnu", "-C", folder, "-cf", _lab.Dir["sparse.tar"], "big"]);
        AssertRefused(_lab.SignedSingleLayer("sparse", File.ReadAllBytes(_lab.Dir["sparse.tar"])), "Entry type 'SparseFile' not supported");
    }

    [Fact]
    public void Invalid_utf8_in_the_unsigned_index_or_layout_file_is_refused_with_a_message()
    {
        foreach (var member in new[] { "index.json", "oci-layout" })
        {
            string package = _lab.SignedSingleLayer("utf8-" + member.Replace('.', '-'), TarFile("bin/tool", "x"));
            byte[] bytes;
            using (var archive = new PackageArchive(package)) bytes = archive.ReadAll(member, 1 << 20);
            int quote = Array.LastIndexOf(bytes, (byte)'"');
            var broken = bytes[..quote].Concat(new byte[] { 0xC3, 0x28 }).Concat(bytes[quote..]).ToArray();   // an invalid two-byte sequence
            ReplaceMember(package, member, broken);
            var e = Assert.Throws<VnfPackageException>(() => VnfPackage.Open(package, _lab.Anchors));
            Assert.Contains($"{member} is not UTF-8 text", e.Message);
            var verify = VerifyTool(package);
            Assert.Equal(1, verify.ExitCode);
            Assert.Contains($"{member} is not UTF-8 text", verify.Error);
        }
    }

    [Fact]
    public void Cpe_vnf_verify_refuses_a_package_whose_layer_bytes_were_changed()
    {
        string package = _lab.SignedSingleLayer("corrupt", TarFile("bin/tool", new string('x', 4096)));
        string digest;
        using (var opened = VnfPackage.Open(package, _lab.Anchors)) digest = opened.Manifest.Layers[0].Digest;
        string blob = VnfPackage.BlobPath(digest);
        byte[] layer;
        using (var archive = new PackageArchive(package)) layer = archive.ReadAll(blob, 1 << 20);
        layer[layer.Length / 2] ^= 0x01;
        ReplaceMember(package, blob, layer);
        AssertRefused(package, digest);
    }

    public void Dispose()
    {
        _lab.Dispose();
        _store.Dispose();
    }

    /// <summary>A stream of zeros of a given length, so that a large file need not be held in memory.</summary>
    sealed class ZeroStream(long length) : Stream
    {
        long _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
