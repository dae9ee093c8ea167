namespace Cpe.TestKit;

/// <summary>
/// Firmware built by a test from the published binaries, as build.sh builds the two shipped versions: for the
/// reproducibility check, and for versions made to fail (a v3 with a wrong board profile).
/// </summary>
public static class FirmwareBuild
{
    static string Out => Path.GetDirectoryName(Path.GetDirectoryName(Binaries.Cped)!)!;
    static string Repository => Path.GetFullPath(Path.Combine(Out, ".."));
    public static string Keys => Path.Combine(Out, "keys", "vendor");
    public static string Boards => Path.Combine(Repository, "board", "profiles");
    public static string Vnfs => Path.Combine(Out, "vnfs");

    /// <summary>cpe-image build into <paramref name="folder"/>; returns the disk image's path.</summary>
    public static string Assemble(string version, string folder, string? boards = null, int? healthTimeout = null, long epoch = 1764979200, string? vnfs = null)
    {
        var args = new List<string> { "build", "--version", version, "--bin", Path.GetDirectoryName(Binaries.Cped)!, "--vnfs", vnfs ?? Vnfs,
            "--boards", boards ?? Boards, "--trust", Path.Combine(Keys, "vendor-ca.pem"), "--source", Path.Combine(Repository, "image"), "--out", folder,
            "--epoch", epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (healthTimeout is int t) args.AddRange(["--health-timeout", t.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Command.Run(Binaries.ImageTool, args);
        return Path.Combine(folder, $"cpe-firmware-{version}.img");
    }

    /// <summary>Signs the slot image of <paramref name="version"/> in <paramref name="folder"/> with the build's firmware signer; returns the bundle.</summary>
    public static string Sign(string version, string folder)
    {
        string bundle = Path.Combine(folder, $"cpe-firmware-{version}.cpeu");
        Command.Run(Binaries.VendorTool, ["firmware", "sign", "--signer-dir", Keys, "--image", Path.Combine(folder, $"cpe-firmware-{version}.rootfs.img"),
            "--version", version, "--compatible", ImageFleetLab.Model, "--out", bundle]);
        return bundle;
    }
}
