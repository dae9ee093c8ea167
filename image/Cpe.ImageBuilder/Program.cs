using System.Globalization;
using Cpe.ImageBuilder;

// cpe-image: assembles the firmware image (docs/reference/firmware-image.md).
const string Usage = """
    usage: cpe-image build --version VERSION --bin DIR --vnfs DIR --boards DIR --trust CA.pem... --source DIR --out DIR
                           [--epoch SECONDS] [--kernel VERSION] [--health-timeout SECONDS]
    Writes OUT/cpe-firmware-VERSION.img (the raw GPT disk, slot A installed and marked good) and
    OUT/cpe-firmware-VERSION.rootfs.img (the slot image an update bundle carries).
    """;
try
{
    if (args.Length == 0 || args[0] != "build") throw new BuildException("the command is build");
    var options = new Dictionary<string, List<string>>();
    for (int i = 1; i < args.Length; i += 2)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length) throw new BuildException($"unexpected '{args[i]}'");
        (options.TryGetValue(args[i][2..], out var l) ? l : options[args[i][2..]] = []).Add(args[i + 1]);
    }
    string One(string name) => options.TryGetValue(name, out var v) ? v[^1] : throw new BuildException($"--{name} is required");
    string? Maybe(string name) => options.TryGetValue(name, out var v) ? v[^1] : null;
    if (!Cpe.Image.Bundles.FirmwareVersion.TryParse(One("version"), out _)) throw new BuildException($"--version '{One("version")}' is not a firmware version");
    long epoch = Maybe("epoch") is string e ? long.Parse(e, CultureInfo.InvariantCulture)
        : Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH") is string s ? long.Parse(s, CultureInfo.InvariantCulture) : 0;
    int health = Maybe("health-timeout") is string h
        ? int.TryParse(h, CultureInfo.InvariantCulture, out int t) && t is >= 10 and <= 3600 ? t : throw new BuildException("--health-timeout must be 10 to 3600 seconds")
        : Recipe.DefaultHealthTimeout;
    var recipe = new Recipe(One("version"), Path.GetFullPath(One("bin")), Path.GetFullPath(One("vnfs")), Path.GetFullPath(One("boards")),
        options.GetValueOrDefault("trust")?.Select(Path.GetFullPath).ToList() ?? throw new BuildException("--trust is required"),
        Path.GetFullPath(One("source")), Maybe("kernel") ?? KernelModules.NewestKernel(), epoch, Path.GetFullPath(One("out")), health);
    var started = DateTime.UtcNow;
    ImageAssembly.Build(recipe);
    Console.WriteLine($"{recipe.ImageFile}: {new FileInfo(recipe.ImageFile).Length >> 20} MiB disk, slot image {new FileInfo(recipe.SlotFile).Length / 1048576.0:0.0} MiB, " +
        $"kernel {recipe.KernelVersion}, in {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
    return 0;
}
catch (Exception e) when (e is BuildException or IOException or FormatException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"cpe-image: {e.Message}");
    if (e is BuildException) Console.Error.WriteLine(Usage);
    return 1;
}
