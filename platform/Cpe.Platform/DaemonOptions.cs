using Cpe.Platform.Api;

namespace Cpe.Platform;

/// <summary>cped's command line, validated once (docs/reference/cped.md).</summary>
public sealed record DaemonOptions(string StateDirectory, string SocketPath, string Model, string PhonehomeUser, string PasswdPath, bool ApplyHostName, string? BoardProfile = null,
    string? FactoryDirectory = DaemonOptions.DefaultFactoryDirectory)
{
    /// <summary>Where files pushed over the console for zero-touch go (cpe-phonehome --console-drop reads it).</summary>
    public string ConsoleDrop { get; init; } = DefaultConsoleDrop;
    public const string DefaultConsoleDrop = "/run/cpe/console-drop";

    /// <summary>Where "--board auto" looks for the profile whose DMI match fits this box.</summary>
    public string BoardFolder { get; init; } = DefaultBoardFolder;
    public const string DefaultBoardFolder = "/usr/share/cpe/boards";

    /// <summary>Folders zeroizing empties besides the state directory (the phone-home agent's state).</summary>
    public IReadOnlyList<string> EraseOnZeroize { get; init; } = [];

    /// <summary>Enables debug.* API methods that break the daemon on purpose (the watchdog test's hung cped). Never on a shipped box.</summary>
    public bool TestHooks { get; init; }

    /// <summary>The VNF launcher; by default the cpe-runtime next to cped.</summary>
    public string VnfRuntime { get; init; } = Path.Combine(AppContext.BaseDirectory, "cpe-runtime");

    /// <summary>The cgroup under which every VNF instance gets its own (tests use one of their own).</summary>
    public string VnfCgroupParent { get; init; } = "/cpe/vnf";

    /// <summary>VNF instance INSTANCE's network namespace is /run/netns/PREFIX+INSTANCE.</summary>
    public string VnfNetnsPrefix { get; init; } = "vnf-";

    /// <summary>Certificates VNF package signers must chain to, besides the factory's vendor CA.</summary>
    public IReadOnlyList<string> VnfTrust { get; init; } = [];

    /// <summary>What one local API client may hold (connections per user and in all, channels, time to its first request).</summary>
    public ApiLimits ApiLimits { get; init; } = ApiLimits.Default;

    /// <summary>The mounted EFI system partition of an A/B box; none (the simulated board) leaves the image subsystem off.</summary>
    public string? Esp { get; init; }

    /// <summary>The installer's and boot assessment's records (on the data partition).</summary>
    public string ImageState { get; init; } = "/var/lib/cpe-image";

    /// <summary>How long a slot being tried has to pass its health check before the box reboots (and, out of tries, falls back).</summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>PEM files of the anchors firmware signers must chain to.</summary>
    public IReadOnlyList<string> FirmwareTrust { get; init; } = [];

    /// <summary>The platform's log file ("show log messages"; rotated at 1 MiB); without one, log lines go to standard error.</summary>
    public string? LogFile { get; init; }

    public const string DefaultStateDirectory = "/var/lib/cpe";
    public const string DefaultSocket = "/run/cpe/api.sock";
    /// <summary>The board's factory storage (IDevID key and certificate); zero-touch scripts never see it.</summary>
    public const string DefaultFactoryDirectory = "/factory";

    public static DaemonOptions Parse(string[] args)
    {
        string? board = null;
        string factory = DefaultFactoryDirectory, drop = DefaultConsoleDrop, boards = DefaultBoardFolder;
        var erase = new List<string>();
        var trust = new List<string>();
        string runtime = Path.Combine(AppContext.BaseDirectory, "cpe-runtime"), cgroupParent = "/cpe/vnf", netnsPrefix = "vnf-";
        bool hooks = false;
        var limits = ApiLimits.Default;
        string? esp = null;
        string imageState = "/var/lib/cpe-image";
        var health = TimeSpan.FromSeconds(300);
        string? logFile = null;
        var firmwareTrust = new List<string>();
        string state = DefaultStateDirectory, socket = DefaultSocket, model = "sim", phonehome = "cpe-phonehome", passwd = "/etc/passwd";
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--state-dir": state = Next(); break;
                case "--socket": socket = Next(); break;
                case "--model": model = Next(); break;
                case "--phonehome-user": phonehome = Next(); break;
                case "--passwd": passwd = Next(); break;
                case "--board": board = Next(); break;
                case "--factory": factory = Next(); break;
                case "--console-drop": drop = Next(); break;
                case "--boards": boards = Next(); break;
                case "--erase-on-zeroize": erase.Add(Next()); break;
                case "--test-hooks": hooks = true; break;
                case "--vnf-runtime": runtime = Next(); break;
                case "--vnf-cgroup-parent": cgroupParent = Next(); break;
                case "--vnf-netns-prefix": netnsPrefix = Next(); break;
                case "--vnf-trust": trust.Add(Next()); break;
                case "--api-connections-per-user": limits = limits with { ConnectionsPerUser = Count(args[i], Next()) }; break;
                case "--api-connections": limits = limits with { UnprivilegedConnections = Count(args[i], Next()) }; break;
                case "--api-first-request-timeout": limits = limits with { FirstRequestTimeout = TimeSpan.FromSeconds(Count(args[i], Next())) }; break;
                case "--esp": esp = Next(); break;
                case "--image-state": imageState = Next(); break;
                case "--health-timeout": health = TimeSpan.FromSeconds(Count(args[i], Next())); break;
                case "--firmware-trust": firmwareTrust.Add(Next()); break;
                case "--log-file": logFile = Next(); break;
                default: throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        return new DaemonOptions(state, socket, model, phonehome, passwd, ApplyHostName: true, board, factory)
        {
            ConsoleDrop = drop, BoardFolder = boards, EraseOnZeroize = erase, TestHooks = hooks,
            VnfRuntime = runtime, VnfCgroupParent = cgroupParent, VnfNetnsPrefix = netnsPrefix, VnfTrust = trust, ApiLimits = limits.Validated(),
            Esp = esp, ImageState = imageState, HealthTimeout = health, FirmwareTrust = firmwareTrust, LogFile = logFile
        };
    }

    static int Count(string option, string value) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n > 0
            ? n : throw new ArgumentException($"{option} takes a whole number above 0, not '{value}'");

    public const string Usage = "usage: cped [--state-dir DIR] [--socket PATH] [--model NAME] [--phonehome-user NAME] [--passwd FILE] [--board PROFILE.json|auto] [--boards DIR] [--factory DIR] [--console-drop DIR]"
        + " [--erase-on-zeroize DIR]... [--test-hooks] [--vnf-runtime PATH] [--vnf-cgroup-parent PATH] [--vnf-netns-prefix PREFIX] [--vnf-trust PEM]..."
        + " [--api-connections-per-user N] [--api-connections N] [--api-first-request-timeout SECONDS]"
        + " [--esp DIR --image-state DIR --firmware-trust PEM... [--health-timeout SECONDS]] [--log-file PATH]";
}
