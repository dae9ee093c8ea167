using System.Security.Cryptography;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Image;

/// <summary>
/// cpe-image as an ordinary process: the same inputs give the same bytes (assembled twice), and independent tools
/// (sgdisk, mtools, unsquashfs) read the disk it makes as the layout says.
/// </summary>
[Trait("Kind", "Image")]
public sealed class ImageBuildTests : IDisposable
{
    readonly TempFolder _dir = new("cpe-image-build-");

    static string Build(string version, string folder) => FirmwareBuild.Assemble(version, folder);

    static string Sha256(string file)
    {
        using var f = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }

    [Fact]
    public void The_same_inputs_assemble_the_same_image_and_tools_read_its_layout()
    {
        string first = Build("1.0.0", Path.Combine(_dir.Path, "a")), second = Build("1.0.0", Path.Combine(_dir.Path, "b"));
        Assert.Equal(Sha256(first), Sha256(second));
        Assert.Equal(Sha256(Path.ChangeExtension(first, ".rootfs.img")), Sha256(Path.ChangeExtension(second, ".rootfs.img")));

        // Another version differs (its identifiers derive from the version) but shares most of its slot image.
        string other = Build("2.0.0", Path.Combine(_dir.Path, "c"));
        Assert.NotEqual(Sha256(first), Sha256(other));

        string table = Command.Run("sgdisk", ["-p", first]);
        foreach (var (name, size) in new[] { ("cpe-esp", "32.0 MiB"), ("cpe-root-a", "48.0 MiB"), ("cpe-root-b", "48.0 MiB"), ("cpe-data", "96.0 MiB") })
            Assert.Matches($@"\s{size}\s+\S+\s+{name}", table);
        string esp = Command.Run("mdir", ["-i", first + "@@1M", "-/", "-b", "::/"]);
        foreach (var file in new[] { "::/EFI/BOOT/BOOTX64.EFI", "::/loader/loader.conf", "::/loader/entries/cpe-a.conf", "::/cpe/a/vmlinuz", "::/cpe/a/initrd.img" })
            Assert.Contains(file, esp);
        Assert.DoesNotContain("::/cpe/b/", esp);
        string listing = Command.Run("unsquashfs", ["-l", Path.ChangeExtension(first, ".rootfs.img")]);
        // The time zones the CLI shows times in (system time-zone): the same files the host's tests read.
        foreach (var path in new[] { "/usr/lib/cpe/cped", "/usr/lib/cpe/libe_sqlite3.so", "/sbin/init", "/etc/os-release", "/boot/vmlinuz", "/usr/share/cpe/boards/cpe-lab-q35.json",
                     "/usr/sbin/fsck.fat", "/usr/share/zoneinfo/Asia/Kolkata", "/usr/share/zoneinfo/Etc/GMT-3", "/usr/share/zoneinfo/America/Argentina/Salta", "/usr/share/zoneinfo/UTC" })
            Assert.Contains("squashfs-root" + path, listing);
        // libssl is opened by name at run time (no DT_NEEDED): found from the binaries' own strings.
        Assert.Matches(@"squashfs-root/(usr/)?lib/x86_64-linux-gnu/libssl\.so\.3", listing);
    }

    public void Dispose() => _dir.Dispose();
}
