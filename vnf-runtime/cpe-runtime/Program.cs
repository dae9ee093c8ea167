using System.Globalization;
using Cpe.Interop;
using Cpe.Vnf;
using Cpe.Vnf.Runtime;

// cpe-runtime: runs a VNF from an OCI runtime bundle (docs/reference/vnf-runtime.md).
//   cpe-runtime run --bundle DIR [--cgroup-root DIR] [--state DIR] [--log FILE] [--log-limit BYTES] ID
//   cpe-runtime exec --bundle DIR --pid PID [--cgroup-root DIR] [--timeout S] -- COMMAND...   (health checks)
// Exit status: the VNF's or the command's (128 + signal when killed), 125 when the launch itself failed.
const string Usage = """
    usage: cpe-runtime run --bundle DIR [--cgroup-root /sys/fs/cgroup] [--state DIR] [--log FILE] [--log-limit BYTES] ID
           cpe-runtime exec --bundle DIR --pid PID [--cgroup-root /sys/fs/cgroup] [--timeout SECONDS] -- COMMAND...
    """;
try
{
    if (args is ["init", "--cgroup-root", var root, var bundle])
    {
        ContainerInit.Run(bundle, root);   // returns only by throwing: success is an exec
        return 125;
    }
    if (args.Length > 3 && args[0] == "exec-init" && args[3] == "--")
    {
        ContainerInit.Exec(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[4..]);
        return 125;
    }
    if (args.Length > 0 && args[0] == "exec")
    {
        int dash = Array.IndexOf(args, "--");
        if (dash < 0 || dash == args.Length - 1) throw new RuntimeSpecException(Usage);
        var options = args[1..dash];
        string Option(string name, string? fallback = null) =>
            Array.IndexOf(options, name) is int at and >= 0 && at + 1 < options.Length ? options[at + 1] : fallback ?? throw new RuntimeSpecException($"{name} is required\n{Usage}");
        return ContainerRun.Exec(Environment.ProcessPath!, Option("--bundle"), Option("--cgroup-root", "/sys/fs/cgroup"),
            int.Parse(Option("--pid"), CultureInfo.InvariantCulture), args[(dash + 1)..], TimeSpan.FromSeconds(double.Parse(Option("--timeout", "10"), CultureInfo.InvariantCulture)));
    }
    if (args.Length < 2 || args[0] != "run") { Console.Error.WriteLine(Usage); return 125; }
    string? bundleDir = null, state = null, log = null, cgroupRoot = "/sys/fs/cgroup", id = null;
    long logLimit = 1 << 20;
    for (int i = 1; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new RuntimeSpecException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--bundle": bundleDir = Next(); break;
            case "--state": state = Next(); break;
            case "--log": log = Next(); break;
            case "--log-limit": logLimit = long.Parse(Next(), CultureInfo.InvariantCulture); break;
            case "--cgroup-root": cgroupRoot = Next(); break;
            case var s when !s.StartsWith("--", StringComparison.Ordinal) && id is null: id = s; break;
            default: throw new RuntimeSpecException($"unexpected '{args[i]}'\n{Usage}");
        }
    }
    if (bundleDir is null || id is null) throw new RuntimeSpecException(Usage);
    return ContainerRun.Run(Environment.ProcessPath!, bundleDir, id, new RunOptions(cgroupRoot, state, log, logLimit));
}
catch (Exception e) when (e is VnfException or IOException or UnauthorizedAccessException or FormatException or TimeoutException)
{
    Console.Error.WriteLine($"cpe-runtime: {(args.Length > 0 && args[0] is "init" or "exec-init" ? args[0] + ": " : "")}{e.Message}");
    return 125;
}
