using System.Text.Json;
using System.Text.RegularExpressions;
using Cpe.Board.Profile;

namespace Cpe.Board.Profile;

/// <summary>
/// Reads a board profile and checks every field before the platform uses any of it, so a mistake is one line naming
/// the file and the field ("board.json: leds[1].chip: …", an <see cref="InvalidDataException"/>), not a failure later
/// at the hardware. A port given by PCI address gets its netdev here.
/// </summary>
public static partial class BoardProfileLoader
{
    static readonly string[] Roles = ["wan", "lan", "management"], SensorKinds = ["temperature", "fan", "voltage"];
    static readonly string[] Colours = ["green", "red", "amber", "yellow", "blue", "white"];
    static readonly int[] Bauds = [9600, 19200, 38400, 57600, 115200];

    [GeneratedRegex("^[a-z]{2,3}-[0-9]+/[0-9]+/[0-9]+$")]
    private static partial Regex PortName();

    [GeneratedRegex("missing required properties including: '([a-zA-Z]+)'")]
    private static partial Regex MissingRequired();

    [GeneratedRegex("^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]$")]
    private static partial Regex PciAddress();

    public static BoardProfile Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidDataException($"{path}: {e.Message}", e); }
        return Parse(text, path);
    }

    public static BoardProfile Parse(string json, string source)
    {
        BoardProfile? profile;
        try { profile = JsonSerializer.Deserialize(json, BoardProfileJson.Default.BoardProfile); }
        catch (JsonException e)
        {
            // The serializer's path ("$.leds[0].line") is the field a person looks for.
            string field = e.Path is { Length: > 2 } p ? p[2..] : "(document)";
            if (MissingRequired().Match(e.Message) is { Success: true } missing) throw new InvalidDataException($"{source}: {missing.Groups[1].Value}: is required", e);
            throw new InvalidDataException($"{source}: {field}: {FirstSentence(e.Message)}", e);
        }
        if (profile is null) throw new InvalidDataException($"{source}: not a board profile");
        // Absent lists arrive as null through the constructor's initializer, whatever their default says.
        profile = profile with
        {
            Leds = profile.Leds ?? [],
            Buttons = profile.Buttons ?? [],
            Sensors = profile.Sensors ?? [],
            SysfsRoot = profile.SysfsRoot ?? "/sys",
            Power = profile.Power ?? "kernel",
            Ports = profile.Ports ?? []
        };
        var errors = Check(profile).ToList();
        if (errors.Count > 0) throw new InvalidDataException($"{source}: {errors[0]}");
        var ports = profile.Ports.Select(p => p.Netdev.Length > 0 ? p : p with { Netdev = NetdevAt(profile.SysfsRoot, p.Pci!) ?? "" }).ToList();
        var sriov = profile.Sriov is { Pfs: { } pfs } s
            ? s with { Pfs = pfs.Select(pf => pf.Port is string port ? pf with { Netdev = ports.First(p => p.Name == port).Netdev } : pf).ToList() }
            : profile.Sriov;
        return profile with { Ports = ports, Sriov = sriov };
    }

    public static string ToJson(BoardProfile profile) => JsonSerializer.Serialize(profile, BoardProfileJson.Default.BoardProfile);

    public static void Save(BoardProfile profile, string path) => File.WriteAllText(path, ToJson(profile));

    /// <summary>The netdev of a PCI function, from sysfs; null when it has none (yet).</summary>
    static string? NetdevAt(string sysfsRoot, string pci)
    {
        string net = Path.Combine(sysfsRoot, "bus", "pci", "devices", pci, "net");
        return Directory.Exists(net) ? Directory.GetDirectories(net).Select(Path.GetFileName).Order(StringComparer.Ordinal).FirstOrDefault() : null;
    }

    static string FirstSentence(string message) => message.Split(". Path:", 2)[0].TrimEnd('.');

    /// <summary>Every problem, each naming its field; the first is reported.</summary>
    internal static IEnumerable<string> Check(BoardProfile b)
    {
        if (string.IsNullOrWhiteSpace(b.Model)) yield return "model: is required";
        if (b.Ports is null || b.Ports.Count == 0) { yield return "ports: at least one front port is required"; yield break; }
        for (int i = 0; i < b.Ports.Count; i++)
        {
            var p = b.Ports[i];
            string at = $"ports[{i}]";
            if (p.Name is null || !PortName().IsMatch(p.Name)) yield return $"{at}.name: '{p.Name}' is not a port name like ge-0/0/0";
            if (p.Netdev.Length == 0 && p.Pci is null) yield return $"{at}: needs a netdev or a pci address";
            if (p.Netdev.Length > 15) yield return $"{at}.netdev: '{p.Netdev}' is longer than a Linux interface name (15)";
            if (p.Pci is not null && !PciAddress().IsMatch(p.Pci)) yield return $"{at}.pci: '{p.Pci}' is not a PCI address like 0000:03:00.0";
            if (!Roles.Contains(p.Role)) yield return $"{at}.role: '{p.Role}' is not one of {string.Join(", ", Roles)}";
            if (p.SpeedMbps is <= 0) yield return $"{at}.speedMbps: must be positive";
        }
        foreach (var (field, value) in Duplicates(b.Ports.Select((p, i) => ($"ports[{i}].name", p.Name)))
                     .Concat(Duplicates(b.Ports.Select((p, i) => ($"ports[{i}].netdev", p.Netdev)).Where(x => x.Item2.Length > 0))))
            yield return $"{field}: '{value}' is named by more than one port";
        if (b.Ports.Count(p => p.Role == "wan") > 1) yield return "ports: more than one port has role wan";
        if (b.Sriov is { } s)
        {
            if (s.Driver is not ("kernel" or "emulated")) yield return $"sriov.driver: '{s.Driver}' is neither 'kernel' nor 'emulated'";
            for (int i = 0; i < (s.Pfs?.Count ?? 0); i++)
            {
                var pf = s.Pfs![i];
                if (pf.MaxVfs is int max && max is < 1 or > 256) yield return $"sriov.pfs[{i}].maxVfs: {max} is outside 1..256";
                if (pf.Netdev.Length == 0 && pf.Port is null) yield return $"sriov.pfs[{i}]: needs a netdev or a port";
                if (pf.Port is string port && b.Ports.All(p => p.Name != port)) yield return $"sriov.pfs[{i}].port: '{port}' is not one of the ports";
            }
        }
        if (b.Cpu is { } cpu)
        {
            if (cpu.PlatformCores is null || cpu.PlatformCores.Count == 0) yield return "cpu.platformCores: at least one core is required";
            foreach (int core in (cpu.PlatformCores ?? []).Concat(cpu.VnfCores ?? []).Where(c => c is < 0 or > 1023))
                yield return $"cpu: core {core} is outside 0..1023";
            if (cpu.PlatformCores?.Intersect(cpu.VnfCores ?? []).FirstOrDefault(-1) is int both and >= 0) yield return $"cpu.vnfCores: core {both} is also a platform core";
        }
        if (b.Gpio is { } g)
        {
            if (g.Driver is not ("libgpiod" or "simulated")) yield return $"gpio.driver: '{g.Driver}' is neither 'libgpiod' nor 'simulated'";
            if (g.Driver == "simulated" && string.IsNullOrEmpty(g.Root)) yield return "gpio.root: the simulated driver needs its folder";
        }
        else if (b.Leds.Count > 0 || b.Buttons.Count > 0) yield return "gpio: LEDs and buttons need a gpio driver";
        for (int i = 0; i < b.Leds.Count; i++)
        {
            var l = b.Leds[i];
            if (string.IsNullOrEmpty(l.Name)) yield return $"leds[{i}].name: is required";
            if (l.Chip < 0) yield return $"leds[{i}].chip: must be 0 or more";
            if (l.Colours is null || l.Colours.Count == 0) yield return $"leds[{i}].colours: at least one colour and its line is required";
            foreach (var (colour, line) in l.Colours ?? new Dictionary<string, int>())
            {
                if (!Colours.Contains(colour)) yield return $"leds[{i}].colours.{colour}: not one of {string.Join(", ", Colours)}";
                if (line < 0) yield return $"leds[{i}].colours.{colour}: line must be 0 or more";
            }
        }
        for (int i = 0; i < b.Buttons.Count; i++)
        {
            if (string.IsNullOrEmpty(b.Buttons[i].Name)) yield return $"buttons[{i}].name: is required";
            if (b.Buttons[i].Chip < 0 || b.Buttons[i].Line < 0) yield return $"buttons[{i}]: chip and line must be 0 or more";
        }
        var lines = b.Leds.SelectMany((l, i) => (l.Colours ?? new Dictionary<string, int>()).Select(c => ($"leds[{i}].colours.{c.Key}", $"{l.Chip}:{c.Value}")))
            .Concat(b.Buttons.Select((x, i) => ($"buttons[{i}].line", $"{x.Chip}:{x.Line}")));
        foreach (var (field, line) in Duplicates(lines)) yield return $"{field}: gpiochip line {line} is already used";
        if (b.Watchdog is { } w)
        {
            if (string.IsNullOrEmpty(w.Device)) yield return "watchdog.device: is required";
            if (w.TimeoutSeconds is < 2 or > 600) yield return $"watchdog.timeoutSeconds: {w.TimeoutSeconds} is outside 2..600";
        }
        for (int i = 0; i < b.Sensors.Count; i++)
        {
            var x = b.Sensors[i];
            string at = $"sensors[{i}]";
            if (string.IsNullOrEmpty(x.Name)) yield return $"{at}.name: is required";
            if (!SensorKinds.Contains(x.Kind)) yield return $"{at}.kind: '{x.Kind}' is not one of {string.Join(", ", SensorKinds)}";
            if (string.IsNullOrEmpty(x.Path) || Path.IsPathRooted(x.Path) || x.Path.Split('/').Contains(".."))
                yield return $"{at}.path: '{x.Path}' must be a path under the sysfs root";
            if (x.Low is null && x.High is null && x.Critical is null) yield return $"{at}: needs a threshold (low, high or critical)";
            if (x.Low >= (x.High ?? x.Critical)) yield return $"{at}.low: must be below high and critical";
            if (x.High >= x.Critical) yield return $"{at}.high: must be below critical";
        }
        foreach (var (field, name) in Duplicates(b.Sensors.Select((x, i) => ($"sensors[{i}].name", x.Name))))
            yield return $"{field}: '{name}' is named twice";
        if (b.Console is { } c && !Bauds.Contains(c.Baud)) yield return $"console.baud: {c.Baud} is not one of {string.Join(", ", Bauds)}";
        if (b.Power is not ("kernel" or "simulated")) yield return $"power: '{b.Power}' is neither 'kernel' nor 'simulated'";
    }

    /// <summary>The second and later occurrences of a value, with their field.</summary>
    static IEnumerable<(string Field, string Value)> Duplicates(IEnumerable<(string Field, string Value)> items)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (field, value) in items)
            if (value is not null && !seen.Add(value)) yield return (field, value);
    }
}
