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

    /// <summary>
    /// Signs the slot image of <paramref name="version"/> in <paramref name="folder"/> with the build's firmware signer
    /// (anti-rollback minimum <paramref name="minimumVersion"/>, the version itself when null); returns the bundle.
    /// </summary>
    public static string Sign(string version, string folder, string? minimumVersion = null)
    {
        string bundle = Path.Combine(folder, $"cpe-firmware-{version}.cpeu");
        var args = new List<string> { "firmware", "sign", "--signer-dir", Keys, "--image", Path.Combine(folder, $"cpe-firmware-{version}.rootfs.img"),
            "--version", version, "--compatible", ImageFleetLab.Model, "--out", bundle };
        if (minimumVersion is not null) args.AddRange(["--minimum-version", minimumVersion]);
        Command.Run(Binaries.VendorTool, args);
        return bundle;
    }

    /// <summary>
    /// A signed 9.0.0 bundle in <paramref name="folder"/> whose slot image is <paramref name="dataBytes"/> bytes drawn
    /// from <paramref name="random"/> and their verity tree (salt and UUID drawn too): a bundle no box holds a chunk of.
    /// </summary>
    public static string RandomBundle(string folder, long dataBytes, Random random)
    {
        string image = Path.Combine(folder, "cpe-firmware-9.0.0.rootfs.img");
        var data = new byte[dataBytes];
        random.NextBytes(data);
        File.WriteAllBytes(image, data);
        var salt = new byte[32];
        random.NextBytes(salt);
        var uuid = new byte[16];
        random.NextBytes(uuid);
        Cpe.Image.Verity.VerityHashTree.Append(image, salt, new Guid(uuid));
        return Sign("9.0.0", folder);
    }

    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<string>> PaddedBuilds = new();

    /// <summary>
    /// A bundle of <paramref name="version"/> (2.5.0, 2.6.0, …) that differs from 1.0.0, 2.0.0 and every other padded
    /// version in several MiB (the sample packages plus 5 MiB that do not compress (as much as a 48 MiB slot holds beside the 41 MiB image), drawn from the version), so that an
    /// update to it downloads long enough to be cut; its anti-rollback minimum is 2.0.0, so a box can go from one of
    /// 2.0.0 and the padded versions to any other. Built once per test run (out/test-firmware/VERSION).
    /// </summary>
    public static string Padded(string version) =>
        PaddedBuilds.GetOrAdd(version, v => new Lazy<string>(() => BuildPadded(v), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    static string BuildPadded(string version)
    {
        const int Chunk = 1 << 20;
        string folder = Path.Combine(Out, "test-firmware", version), vnfs = Path.Combine(folder, "vnfs");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(vnfs);
        foreach (var f in Directory.GetFiles(Vnfs, "*.tar")) File.Copy(f, Path.Combine(vnfs, Path.GetFileName(f)));
        var padding = new Random(version.Aggregate(17, (h, c) => h * 31 + c)).GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), 5 * Chunk);
        File.WriteAllBytes(Path.Combine(vnfs, "padding.tar"), padding);
        Assemble(version, folder, vnfs: vnfs);
        File.Delete(Path.Combine(folder, $"cpe-firmware-{version}.img"));   // only the bundle is used: 226 MiB less
        return Sign(version, folder, minimumVersion: "2.0.0");
    }
}
