using Cpe.TestKit;

namespace Cpe.IntegrationTests.Image;

/// <summary>
/// The vendor's firmware commands as an operator runs them (docs/guides/vendor-server.md), with independent readers:
/// GNU tar lists the bundle and openssl cms verifies its signature against the vendor CA.
/// </summary>
[Trait("Kind", "Image")]
public sealed class FirmwareToolTests : IDisposable
{
    readonly TempFolder _dir = new("cpe-firmware-tool-");

    (int Code, string Output) Vendor(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Binaries.VendorTool, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    [Fact]
    public void An_operator_signs_a_bundle_that_tar_lists_openssl_verifies_and_the_box_s_check_accepts()
    {
        string pki = Path.Combine(_dir.Path, "pki"), signer = Path.Combine(_dir.Path, "firmware"), bundle = Path.Combine(_dir.Path, "fw.cpeu");
        string image = Path.Combine(_dir.Path, "rootfs.img");
        File.WriteAllBytes(image, System.Security.Cryptography.RandomNumberGenerator.GetBytes(2_500_000));
        Assert.Equal(0, Vendor("ca", "create", "--dir", pki).Code);
        Assert.Equal(0, Vendor("firmware", "signer", "--ca-dir", pki, "--name", "Test firmware signer", "--dir", signer).Code);
        // A slot image without its verity tree (not what cpe-image build writes) is not signed: its root hash is unknown.
        var unverifiable = Vendor("firmware", "sign", "--signer-dir", signer, "--image", image, "--version", "2.1.0", "--compatible", "cpe-lab-q35", "--out", bundle);
        Assert.Equal(1, unverifiable.Code);
        Assert.Contains("no verity", unverifiable.Output);
        Assert.False(File.Exists(bundle));
        Cpe.Image.Verity.VerityHashTree.Append(image, [1, 2, 3, 4], Guid.NewGuid());
        long size = new FileInfo(image).Length;
        var signed = Vendor("firmware", "sign", "--signer-dir", signer, "--image", image, "--version", "2.1.0", "--compatible", "cpe-lab-q35", "--out", bundle);
        Assert.True(signed.Code == 0, signed.Output);

        Assert.Equal(0, Vendor("firmware", "verify", "--bundle", bundle, "--ca-dir", pki, "--board", "cpe-lab-q35", "--floor", "2.0.0").Code);
        var wrongBoard = Vendor("firmware", "verify", "--bundle", bundle, "--ca-dir", pki, "--board", "ref-c3000");
        Assert.Equal(1, wrongBoard.Code);
        Assert.Contains("refused: it is built for cpe-lab-q35; this box is a ref-c3000", wrongBoard.Output);
        var floor = Vendor("firmware", "verify", "--bundle", bundle, "--ca-dir", pki, "--board", "cpe-lab-q35", "--floor", "3.0.0");
        Assert.Contains("below this box's anti-rollback floor 3.0.0", floor.Output);

        // The VNF package signer of the same CA cannot make firmware.
        Assert.Equal(0, Vendor("signer", "issue", "--ca-dir", pki, "--name", "VNF signer", "--dir", Path.Combine(_dir.Path, "vnf")).Code);
        File.Copy(Path.Combine(_dir.Path, "vnf", "vnf-signer.pem"), Path.Combine(_dir.Path, "vnf", "firmware-signer.pem"));
        File.Copy(Path.Combine(_dir.Path, "vnf", "vnf-signer.key"), Path.Combine(_dir.Path, "vnf", "firmware-signer.key"));
        Assert.Equal(0, Vendor("firmware", "sign", "--signer-dir", Path.Combine(_dir.Path, "vnf"), "--image", image, "--version", "2.1.0", "--compatible", "cpe-lab-q35", "--out", bundle + ".vnf").Code);
        Assert.Contains("not a firmware signer", Vendor("firmware", "verify", "--bundle", bundle + ".vnf", "--ca-dir", pki).Output);

        string listing = Command.Run("tar", ["tvf", bundle]);
        Assert.Matches($@"manifest\.json\n.*manifest\.json\.p7s\n.*{size} .*rootfs\.img", listing);
        string extracted = Path.Combine(_dir.Path, "x");
        Directory.CreateDirectory(extracted);
        Command.Run("tar", ["xf", bundle, "-C", extracted]);
        Assert.Equal(File.ReadAllBytes(image), File.ReadAllBytes(Path.Combine(extracted, "rootfs.img")));
        Command.Run("openssl", ["cms", "-verify", "-binary", "-inform", "DER", "-in", Path.Combine(extracted, "manifest.json.p7s"), "-content",
            Path.Combine(extracted, "manifest.json"), "-CAfile", Path.Combine(pki, "vendor-ca.pem"), "-purpose", "any", "-out", "/dev/null"]);

        // One changed byte of the image inside the bundle: refused, naming the chunk.
        var bytes = File.ReadAllBytes(bundle);
        bytes[^(1024 + 100_000)] ^= 1;
        File.WriteAllBytes(bundle, bytes);
        var tampered = Vendor("firmware", "verify", "--bundle", bundle, "--ca-dir", pki);
        Assert.Equal(1, tampered.Code);
        Assert.Contains("does not match its signed hash", tampered.Output);
    }

    public void Dispose() => _dir.Dispose();
}
