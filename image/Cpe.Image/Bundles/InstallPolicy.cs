namespace Cpe.Image.Bundles;

/// <summary>What this box accepts beyond a good signature: its board model, and nothing below its anti-rollback floor.</summary>
public sealed record InstallPolicy(string BoardModel, FirmwareVersion Floor)
{
    public void Check(BundleManifest manifest)
    {
        if (!manifest.Compatible.Contains(BoardModel, StringComparer.OrdinalIgnoreCase))
            throw new BundleRefusedException($"it is built for {string.Join(", ", manifest.Compatible)}; this box is a {BoardModel}");
        if (manifest.ParsedVersion < Floor)
            throw new BundleRefusedException($"version {manifest.Version} is below this box's anti-rollback floor {Floor}");
    }
}
