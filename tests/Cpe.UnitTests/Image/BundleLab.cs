using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cpe.Image.Bundles;
using Cpe.Image.Verity;
using Cpe.Signing;
using Cpe.Sztp;

namespace Cpe.UnitTests.Image;

/// <summary>A vendor CA with a firmware signer, and bundles of random slot images made with it, in memory.</summary>
public sealed class BundleLab
{
    static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddMinutes(-5);

    public X509Certificate2 Ca { get; } = VendorPki.CreateCa("CN=Test vendor CA", Start, TimeSpan.FromDays(30));
    public X509Certificate2 Signer { get; }
    public FirmwareTrust Trust { get; }

    public BundleLab()
    {
        Signer = VendorPki.Issue(Ca, "CN=Test firmware signer", Start, TimeSpan.FromDays(10), extendedUsage: [new Oid(FirmwareTrust.CodeSigning)]);
        Trust = new FirmwareTrust([Ca]);
    }

    public static BundleInfo Info(string version = "2.0.0", string? minimum = null) =>
        new("cpe-firmware", version, ["cpe-lab-q35", "ref-c3000"], minimum, new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>A slot image as the image build makes one: <paramref name="size"/> random bytes, then its verity superblock and hash tree.</summary>
    public static byte[] RandomImage(int size, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return SlotImage(bytes);
    }

    /// <summary><paramref name="data"/> with its verity superblock and tree appended.</summary>
    public static byte[] SlotImage(byte[] data)
    {
        var image = new MemoryStream();
        image.Write(data);
        VerityHashTree.Append(image, Salt, new Guid("6f0b1f7e-2a43-4c1e-9d59-4e1d0c2f5a11"));
        return image.ToArray();
    }

    /// <summary>A well-formed verity root for boot entries written by hand.</summary>
    public static readonly VerityRoot Verity = new(new string('a', 64), "00ff", 1000);

    public static readonly byte[] Salt = Convert.FromHexString("5eed00112233445566778899aabbccddeeff00112233445566778899aabbccdd");

    public byte[] Bundle(byte[] image, BundleInfo? info = null, X509Certificate2? signer = null)
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, image);
            using var output = new MemoryStream();
            BundleWriter.WriteAsync(path, info ?? Info(), signer ?? Signer, null, output, CancellationToken.None).GetAwaiter().GetResult();
            return output.ToArray();
        }
        finally { File.Delete(path); }
    }

    /// <summary>A bundle around a manifest written by hand (to reach the manifest checks behind a good signature).</summary>
    public byte[] BundleWithManifest(byte[] manifestJson, byte[] image)
    {
        var signature = DetachedSignature.Sign(manifestJson, Signer);
        using var output = new MemoryStream();
        foreach (var (name, data) in new[] { (BundleArchive.ManifestName, manifestJson), (BundleArchive.SignatureName, signature), (BundleArchive.ImageName, image) })
        {
            output.Write(BundleArchive.Header(name, data.Length));
            output.Write(data);
            output.Write(new byte[BundleArchive.Padding(data.Length)]);
        }
        output.Write(new byte[2 * BundleArchive.Block]);
        return output.ToArray();
    }

    public Task<BundleHead> VerifyAsync(byte[] bundle, InstallPolicy? policy = null, Func<int, ReadOnlyMemory<byte>, CancellationToken, Task>? chunk = null) =>
        BundleVerifier.VerifyAsync(new MemoryStream(bundle, writable: false), Trust, policy, chunk, CancellationToken.None);
}
