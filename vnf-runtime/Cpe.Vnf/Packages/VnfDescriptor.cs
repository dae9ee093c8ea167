using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Cpe.Vnf;

namespace Cpe.Vnf.Packages;

/// <summary>How a VNF interface is provided: a veth pair from the platform's bridge, or an SR-IOV virtual function.</summary>
public enum InterfaceKind { Virtio, Sriov }

/// <summary>Which side of a chain hop an interface faces.</summary>
public enum InterfaceRole { Ingress, Egress, Management }

public enum RestartPolicy { Always, OnFailure, Never }

public enum HealthCheckKind { Exec, Tcp, Http }

public sealed record VnfInterface(string Name, InterfaceKind Kind, InterfaceRole Role);

/// <summary>
/// A health check (docs/reference/vnf-package.md): a command run inside the VNF, a TCP connect, or an HTTP GET that
/// must answer 2xx; <see cref="Retries"/> failures in a row make the VNF unhealthy, which restarts it.
/// </summary>
public sealed record HealthCheck(HealthCheckKind Kind, string Target, TimeSpan Interval, TimeSpan Timeout, int Retries, TimeSpan StartPeriod);

/// <summary>
/// What a VNF needs and how it is run, read from the image configuration's <c>org.cpe.vnf.*</c> labels
/// (docs/reference/vnf-package.md). Errors name the label.
/// </summary>
public sealed partial record VnfDescriptor(
    string Name,
    string Version,
    IReadOnlyList<VnfInterface> Interfaces,
    double Cpus,
    long MemoryBytes,
    int Pids,
    HealthCheck? Health,
    RestartPolicy Restart,
    IReadOnlyList<string> Capabilities)
{
    public const string Prefix = "org.cpe.vnf.";
    public const double DefaultCpus = 1;
    public const long DefaultMemory = 64L << 20;
    public const int DefaultPids = 64;

    /// <summary>The capabilities a VNF may ask for; everything else (CAP_SYS_ADMIN above all) is never granted.</summary>
    public static readonly IReadOnlySet<string> GrantableCapabilities = new HashSet<string>(StringComparer.Ordinal)
    {
        "CAP_NET_RAW", "CAP_NET_ADMIN", "CAP_NET_BIND_SERVICE", "CAP_IPC_LOCK", "CAP_SYS_NICE", "CAP_CHOWN",
        "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETUID", "CAP_SETGID", "CAP_KILL",
    };

    public static VnfDescriptor FromLabels(IReadOnlyDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>();
        string? Get(string key) => labels.TryGetValue(Prefix + key, out var v) ? v.Trim() : null;
        string Required(string key) => Get(key) is { Length: > 0 } v ? v : throw new VnfPackageException($"label {Prefix}{key} is missing");

        string name = Required("name");
        if (!NamePattern().IsMatch(name)) throw Bad("name", name, "lower-case letters, digits and '-', starting with a letter, at most 31 characters");
        string version = Required("version");
        if (version.Length > 64 || version.Any(char.IsWhiteSpace)) throw Bad("version", version, "at most 64 characters without spaces");

        var interfaces = ParseInterfaces(Required("interfaces"));
        double cpus = Get("cpus") is string c
            ? double.TryParse(c, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n) && n >= 0.01 && n <= 64 ? n : throw Bad("cpus", c, "a number of cores from 0.01 to 64, e.g. 0.5")
            : DefaultCpus;
        long memory = Get("memory") is string m ? ParseSize(m, "memory", min: 4L << 20) : DefaultMemory;
        int pids = Get("pids") is string p
            ? int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int q) && q is >= 1 and <= 32768 ? q : throw Bad("pids", p, "a number from 1 to 32768")
            : DefaultPids;
        var restart = Get("restart") switch
        {
            null or "always" => RestartPolicy.Always,
            "on-failure" => RestartPolicy.OnFailure,
            "never" => RestartPolicy.Never,
            string r => throw Bad("restart", r, "always, on-failure or never"),
        };
        var capabilities = (Get("capabilities") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(cap => GrantableCapabilities.Contains(cap) ? cap : throw Bad("capabilities", cap, $"one of {string.Join(", ", GrantableCapabilities.Order())}"))
            .Distinct().Order(StringComparer.Ordinal).ToList();
        var health = Get("health") is string h ? ParseHealth(h, Get) : null;
        return new VnfDescriptor(name, version, interfaces, cpus, memory, pids, health, restart, capabilities);
    }

    /// <summary>The labels that describe this VNF, as <see cref="FromLabels"/> reads them back.</summary>
    public Dictionary<string, string> ToLabels()
    {
        var labels = new Dictionary<string, string>
        {
            [Prefix + "name"] = Name,
            [Prefix + "version"] = Version,
            [Prefix + "interfaces"] = string.Join(',', Interfaces.Select(i => $"{i.Name}:{Kebab(i.Kind)}:{Kebab(i.Role)}")),
            [Prefix + "cpus"] = Cpus.ToString(CultureInfo.InvariantCulture),
            [Prefix + "memory"] = MemoryBytes.ToString(CultureInfo.InvariantCulture),
            [Prefix + "pids"] = Pids.ToString(CultureInfo.InvariantCulture),
            [Prefix + "restart"] = Restart switch { RestartPolicy.OnFailure => "on-failure", var r => Kebab(r) },
        };
        if (Capabilities.Count > 0) labels[Prefix + "capabilities"] = string.Join(',', Capabilities);
        if (Health is { } h)
        {
            labels[Prefix + "health"] = $"{Kebab(h.Kind)}:{h.Target}";
            labels[Prefix + "health.interval"] = Seconds(h.Interval);
            labels[Prefix + "health.timeout"] = Seconds(h.Timeout);
            labels[Prefix + "health.retries"] = h.Retries.ToString(CultureInfo.InvariantCulture);
            labels[Prefix + "health.start-period"] = Seconds(h.StartPeriod);
        }
        return labels;
    }

    static List<VnfInterface> ParseInterfaces(string value)
    {
        var list = new List<VnfInterface>();
        foreach (var item in value.Split(',', StringSplitOptions.TrimEntries))
        {
            var parts = item.Split(':');
            if (parts.Length != 3 || !InterfaceName().IsMatch(parts[0]))
                throw Bad("interfaces", item, "NAME:KIND:ROLE, e.g. in:virtio:ingress, with NAME a Linux interface name of at most 15 characters");
            var kind = parts[1] switch { "virtio" => InterfaceKind.Virtio, "sriov" => InterfaceKind.Sriov, _ => throw Bad("interfaces", item, "KIND virtio or sriov") };
            var role = parts[2] switch
            {
                "ingress" => InterfaceRole.Ingress,
                "egress" => InterfaceRole.Egress,
                "management" => InterfaceRole.Management,
                _ => throw Bad("interfaces", item, "ROLE ingress, egress or management"),
            };
            if (list.Any(i => i.Name == parts[0])) throw Bad("interfaces", item, "each NAME once");
            list.Add(new VnfInterface(parts[0], kind, role));
        }
        return list;
    }

    static HealthCheck ParseHealth(string value, Func<string, string?> get)
    {
        int colon = value.IndexOf(':');
        string target = colon < 0 ? "" : value[(colon + 1)..];
        var kind = (colon < 0 ? value : value[..colon]) switch
        {
            "exec" when target.Length > 0 => HealthCheckKind.Exec,
            "tcp" when int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and < 65536 => HealthCheckKind.Tcp,
            "http" when HttpTarget().IsMatch(target) => HealthCheckKind.Http,
            _ => throw Bad("health", value, "exec:COMMAND, tcp:PORT or http:PORT/PATH"),
        };
        TimeSpan Duration(string key, double fallback) => get("health." + key) is string s
            ? DurationPattern().Match(s) is { Success: true } m ? TimeSpan.FromSeconds(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * (m.Groups[2].Value == "ms" ? 0.001 : 1))
                : throw Bad("health." + key, s, "a duration like 5s or 500ms")
            : TimeSpan.FromSeconds(fallback);
        var interval = Duration("interval", 5);
        var timeout = Duration("timeout", 2);
        if (timeout > interval || interval <= TimeSpan.Zero) throw Bad("health.timeout", $"{timeout.TotalSeconds}s", "a positive interval and a timeout no longer than it");
        int retries = get("health.retries") is string r
            ? int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 100 ? n : throw Bad("health.retries", r, "a number from 1 to 100")
            : 3;
        return new HealthCheck(kind, target, interval, timeout, retries, Duration("start-period", 10));
    }

    /// <summary>A size like 64M, 1G or 65536 (bytes).</summary>
    public static long ParseSize(string value, string label, long min)
    {
        var m = SizePattern().Match(value);
        long unit = m.Success ? m.Groups[2].Value.ToUpperInvariant() switch { "K" => 1L << 10, "M" => 1L << 20, "G" => 1L << 30, _ => 1 } : 0;
        if (!m.Success || !long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n > (1L << 50) / unit || n * unit < min)
            throw Bad(label, value, $"a size of at least {min >> 20}M, like 64M or 1G");
        return n * unit;
    }

    static string Kebab<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
    static string Seconds(TimeSpan t) => t.TotalSeconds % 1 == 0 ? $"{t.TotalSeconds:0}s" : $"{t.TotalMilliseconds:0}ms";

    static VnfPackageException Bad(string label, string value, string expected) =>
        new($"label {Prefix}{label}: '{value}' is not valid: expected {expected}");

    [GeneratedRegex("^[a-z][a-z0-9-]{0,30}$")] private static partial Regex NamePattern();
    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9_-]{0,14}$")] private static partial Regex InterfaceName();
    [GeneratedRegex(@"^[0-9]{1,5}/[!-~]*$")] private static partial Regex HttpTarget();
    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(s|ms)$")] private static partial Regex DurationPattern();
    [GeneratedRegex("^([0-9]{1,16})([KMGkmg]?)$")] private static partial Regex SizePattern();
}

/// <summary>A package that is malformed, unsigned, tampered with or describes an impossible VNF: nothing of it is used.</summary>
public sealed class VnfPackageException(string message, Exception? inner = null) : VnfException(message, inner);
