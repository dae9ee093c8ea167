namespace Cpe.TestKit;

/// <summary>Where the published device binaries are: $CPE_BIN_DIR, else out/bin of the repository.</summary>
public static class Binaries
{
    public static string Directory
    {
        get
        {
            string? fromEnv = Environment.GetEnvironmentVariable("CPE_BIN_DIR");
            if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
            return Path.Combine(RepositoryRoot, "out", "bin");
        }
    }

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "CpeFirmware.sln"))) return dir.FullName;
            throw new InvalidOperationException("cannot find the repository root (CpeFirmware.sln) above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Test programs that run inside the kernel lab (NativeAOT), published by build.sh into out/lab.</summary>
    public static string LabAgent => Require(Path.Combine("..", "lab", "cpe-labagent"));

    /// <summary>The simulated board's tool (framework-dependent; build.sh publishes it into out/sim).</summary>
    public static string SimBoard => Require(Path.Combine("..", "sim", "cpe-sim"));

    /// <summary>The vendor's zero-touch tools (framework-dependent; build.sh publishes them into out/vendor).</summary>
    public static string VendorTool => Require(Path.Combine("..", "vendor", "cpe-vendor"));

    /// <summary>The vendor's bootstrap server, published next to the tools.</summary>
    public static string VendorServer => Require(Path.Combine("..", "vendor", "cpe-vendor-server"));

    /// <summary>The vendor's VNF packaging tool, published next to the other vendor tools.</summary>
    public static string VnfTool => Require(Path.Combine("..", "vendor", "cpe-vnf"));

    /// <summary>The firmware image of <paramref name="version"/> and its update bundle, made by ./build.sh image into out/image/.</summary>
    public static string FirmwareImage(string version) => Require(Path.Combine("..", "image", $"cpe-firmware-{version}.img"));
    public static string FirmwareBundle(string version) => Require(Path.Combine("..", "image", $"cpe-firmware-{version}.cpeu"));

    /// <summary>cpe-image, the image assembler (a tool of the build machine, published into out/tools/).</summary>
    public static string ImageTool => Require(Path.Combine("..", "tools", "cpe-image"));

    public static string Cped => Require("cped");
    public static string Cpe => Require("cpe");
    public static string Phonehome => Require("cpe-phonehome");
    public static string Runtime => Require("cpe-runtime");

    /// <summary>A sample VNF's NativeAOT program, published by build.sh into out/vnfs/NAME/.</summary>
    public static string Vnf(string name) => Require(Path.Combine("..", "vnfs", name, name));

    /// <summary>
    /// A copy of cpe in <paramref name="folder"/> (made readable to all) that another Unix user can run:
    /// the checkout may sit where other users cannot execute (/root).
    /// </summary>
    public static string CpeForOtherUsers(string folder) => ForOtherUsers(Cpe, folder);

    /// <summary>A copy of <paramref name="binary"/> in <paramref name="folder"/>, both readable and executable by all.</summary>
    public static string ForOtherUsers(string binary, string folder)
    {
        const UnixFileMode Open = (UnixFileMode)0b111_101_101;
        File.SetUnixFileMode(folder, Open);
        string copy = Path.Combine(folder, Path.GetFileName(binary));
        File.Copy(binary, copy, overwrite: true);
        File.SetUnixFileMode(copy, Open);
        return copy;
    }

    static string Require(string name)
    {
        string path = Path.GetFullPath(Path.Combine(Directory, name));
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: run ./build.sh build first", path);
        return path;
    }
}
