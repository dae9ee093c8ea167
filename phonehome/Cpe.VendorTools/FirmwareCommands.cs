using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Cpe.Image.Bundles;
using Cpe.Sztp;

namespace Cpe.VendorTools;

/// <summary>
/// cpe-vendor firmware …: the firmware signer, signing a slot image into an update bundle, and the box's own check of
/// a bundle (docs/reference/firmware-bundle.md).
/// </summary>
static class FirmwareCommands
{
    public const string SignerName = "firmware-signer";

    public static int Run(string command, Arguments a, DateTimeOffset now)
    {
        switch (command)
        {
            case "signer":
            {
                // Under the vendor CA, with the code-signing usage the box requires of firmware signers (a VNF signer lacks it).
                var ca = PemFiles.Load(a.Required("ca-dir"), "vendor-ca");
                string name = a.Required("name"), dir = a.Required("dir");
                var usage = new System.Security.Cryptography.OidCollection { new(FirmwareTrust.CodeSigning) };
                PemFiles.Save(dir, SignerName, VendorPki.Issue(ca, $"CN={name}", now.AddMinutes(-5), TimeSpan.FromDays(365 * 5), extendedUsage: usage));
                Console.WriteLine($"firmware signer '{name}' in {dir} ({SignerName}.pem, {SignerName}.key)");
                return 0;
            }
            case "sign":
            {
                var signer = PemFiles.Load(a.Required("signer-dir"), SignerName);
                var info = new BundleInfo(a.Optional("name") ?? "cpe-firmware", a.Required("version"), [.. a.All("compatible")],
                    a.Optional("minimum-version"), Created(a.Optional("created")));
                if (info.Compatible.Length == 0) throw new ToolException("--compatible MODEL is required (repeat it for each board model)");
                string output = a.Required("out"), partial = output + ".part";
                BundleManifest manifest;
                try
                {
                    using (var file = File.Create(partial))
                        manifest = BundleWriter.WriteAsync(a.Required("image"), info, signer, null, file, CancellationToken.None).GetAwaiter().GetResult();
                    File.Move(partial, output, overwrite: true);
                }
                catch (BundleRefusedException e) { File.Delete(partial); throw new ToolException($"the bundle would be refused: {e.Message}"); }
                Console.WriteLine($"{output}: {manifest.Name} {manifest.Version} for {string.Join(", ", manifest.Compatible)}, minimum version {manifest.MinimumVersion}, " +
                    $"image {manifest.Image.Size} bytes in {manifest.Image.Chunks.Length} chunks, signed by {signer.Subject}");
                return 0;
            }
            case "verify":
            {
                var anchors = a.All("anchor").Count > 0 ? FirmwareTrust.FromPemFiles(a.All("anchor"))
                    : new FirmwareTrust([PemFiles.Load(a.Optional("ca-dir") ?? throw new ToolException("--anchor CA.pem or --ca-dir DIR names whom the box trusts"), "vendor-ca", withKey: false)]);
                InstallPolicy? policy = a.Optional("board") is string board
                    ? new InstallPolicy(board, FirmwareVersion.Parse(a.Optional("floor") ?? "0")) : null;
                if (policy is null && a.Optional("floor") is not null) throw new ToolException("--floor needs --board");
                string path = a.Required("bundle");
                try
                {
                    using var file = File.OpenRead(path);
                    var head = BundleVerifier.VerifyAsync(file, anchors, policy, null, CancellationToken.None).GetAwaiter().GetResult();
                    var m = head.Manifest;
                    Console.WriteLine($"{path}: good: {m.Name} {m.Version} for {string.Join(", ", m.Compatible)}, minimum version {m.MinimumVersion}, " +
                        $"image {m.Image.Size} bytes, sha-256 {m.Image.Sha256}, verity root {m.Verity.RootHash}, signed by {head.Signer.Subject}");
                    return 0;
                }
                catch (BundleRefusedException e)
                {
                    Console.Error.WriteLine($"{path}: refused: {e.Message}");
                    return 1;
                }
            }
            default:
                throw new ToolException($"unknown command 'firmware {command}'", showUsage: true);
        }
    }

    // Reproducible bundles: the time comes from --created or SOURCE_DATE_EPOCH, as reproducible builds expect.
    static DateTimeOffset Created(string? text)
    {
        if (text is not null) return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        if (Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH") is string epoch && long.TryParse(epoch, out long seconds))
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        return DateTimeOffset.UtcNow;
    }
}
