using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.Image;

/// <summary>
/// dm-verity on the QEMU box: v2 is installed in slot B and checked whole, then, with the power off, one byte of the
/// installed slot changes on the disk (a failing flash cell, or someone with the disk in hand). Its next boot maps the
/// slot through dm-verity with the root hash from the signed manifest: the changed block reads as an I/O error, the
/// slot does not mount, and after its three tries the box is back on slot A by itself and says why. Without verity
/// the slot would mount and run (the byte is in file data, not in SquashFS's own superblock), so this test would fail.
/// </summary>
[Trait("Kind", "Image")]
public sealed class ImageVerityTests(ITestOutputHelper output) : IDisposable
{
    readonly TempFolder _dir = new("cpe-image-verity-");

    [Fact]
    public async Task A_slot_changed_after_its_install_fails_verification_on_each_try_and_the_box_falls_back_by_itself()
    {
        using var server = new RangeFileServer(Path.GetDirectoryName(Binaries.FirmwareBundle("2.0.0"))!);
        string disk = ImageMachine.CopyImage(Binaries.FirmwareImage("1.0.0"), _dir.Path);
        var box = await ImageMachine.StartAsync(disk, _dir.Path, wan: "user,id=wan");
        try
        {
            await box.LoginAsync("root", "x", TimeSpan.FromSeconds(180));
            await box.TypeAsync($"request system software add http://10.0.2.2:{server.Port}/{Path.GetFileName(Binaries.FirmwareBundle("2.0.0"))}");
            await box.WaitForAsync("Installed 2\\.0\\.0 in slot b", TimeSpan.FromSeconds(300));
        }
        finally { await box.PowerCutAsync(); output.WriteLine(box.Console); }

        // Slot B starts at 81 MiB (docs/reference/firmware-image.md). Its first block holds SquashFS's superblock (96
        // bytes) and then the first file's data, which the mount reads as part of that block.
        int at = new Random().Next(96, 4096);
        using (var f = new FileStream(disk, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = (81L << 20) + at;
            int b = f.ReadByte();
            f.Position--;
            f.WriteByte((byte)(b ^ 0x10));
        }
        output.WriteLine($"changed byte {at} of slot B");

        await using var again = await ImageMachine.StartAsync(disk, _dir.Path, wan: "user,id=wan");
        try
        {
            for (int attempt = 1; attempt <= 3; attempt++)
            {
                await again.WaitForAsync("slot b \\(/dev/vda3\\) does not mount through dm-verity: its blocks do not match its root hash", TimeSpan.FromSeconds(180));
                output.WriteLine($"try {attempt} refused by dm-verity after {again.Clock.Elapsed.TotalSeconds:0} s");
            }
            await again.WaitForAsync(@"firmware fallback: slot b \(2\.0\.0\) failed 3 tries; running slot a \(1\.0\.0\) again", TimeSpan.FromSeconds(180));
            await again.LoginAsync("root", "x", TimeSpan.FromSeconds(120));
            string software = await again.RunAsync("show system software");
            output.WriteLine(software);
            Assert.Contains("Running:  1.0.0 from slot a (good)", software);
            Assert.Contains("Last fallback", software);
            Assert.Contains("2.0.0", software);
            Assert.DoesNotContain("cpe: CPE firmware 2.0.0", again.Console);   // slot B's own init never ran
        }
        finally { output.WriteLine(again.Console); }
    }

    public void Dispose() => _dir.Dispose();
}
