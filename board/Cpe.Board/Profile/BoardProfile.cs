using System.Text.Json.Serialization;
using Cpe.Board.Profile;

namespace Cpe.Board.Profile;

/// <summary>Which CPU cores the platform keeps for itself and which it gives to VNFs.</summary>
public sealed record CpuProfile(IReadOnlyList<int> PlatformCores, IReadOnlyList<int> VnfCores);

/// <summary>How GPIO lines are reached: "libgpiod" (a real gpiochip) or "simulated" (files under <see cref="Root"/>).</summary>
public sealed record GpioProfile(string Driver = "libgpiod", string? Root = null);

/// <summary>An LED: one GPIO line per colour it can show (a red/green LED shows amber with both on).</summary>
public sealed record LedProfile(string Name, int Chip, IReadOnlyDictionary<string, int> Colours, bool ActiveLow = false);

/// <summary>A push button on one GPIO line; pressed is the line's active level.</summary>
public sealed record ButtonProfile(string Name, int Chip, int Line, bool ActiveLow = true);

/// <summary>The hardware watchdog: a Linux watchdog device (or the simulated board's FIFO) and its timeout.</summary>
public sealed record WatchdogProfile(string Device = "/dev/watchdog", int TimeoutSeconds = 30);

/// <summary>
/// One hwmon reading: <see cref="Path"/> is relative to the profile's sysfs root (e.g.
/// "class/hwmon/hwmon0/temp1_input"), or "hwmon:NAME/FILE" for the hwmon device named NAME (e.g. "hwmon:coretemp/temp1_input"). Temperatures are in °C, fans in RPM, voltages in V; the kernel's units
/// (millidegrees, millivolts) are converted. An alarm is raised past Low or High (major) or Critical (critical).
/// </summary>
public sealed record SensorProfile(string Name, string Kind, string Path, double? Low = null, double? High = null, double? Critical = null);

/// <summary>The serial console the technician's CLI runs on.</summary>
public sealed record ConsoleProfile(string Device = "ttyS0", int Baud = 115200);

/// <summary>What selects this profile at start when none is named: DMI strings the board reports.</summary>
public sealed record DmiMatch(string? ProductName = null, string? BoardName = null, string? SysVendor = null);

/// <summary>
/// A board profile (docs/reference/board-profile.md): everything the platform needs to know about the hardware it
/// runs on. Ports, PFs and the SR-IOV driver are the network's part (<see cref="Network"/>); the rest is the board's.
/// </summary>
public sealed record BoardProfile(string Model, IReadOnlyList<FrontPort> Ports)
{
    public string? Description { get; init; }
    public DmiMatch? Match { get; init; }
    public CpuProfile? Cpu { get; init; }
    public SriovProfile? Sriov { get; init; }
    public GpioProfile? Gpio { get; init; }
    public IReadOnlyList<LedProfile> Leds { get; init; } = [];
    public IReadOnlyList<ButtonProfile> Buttons { get; init; } = [];
    public WatchdogProfile? Watchdog { get; init; }
    public IReadOnlyList<SensorProfile> Sensors { get; init; } = [];
    public ConsoleProfile? Console { get; init; }
    /// <summary>Where sysfs is: hwmon and DMI are read under it (the simulated board has its own).</summary>
    public string SysfsRoot { get; init; } = "/sys";
    /// <summary>"kernel": reboot and power-off are reboot(2); "simulated": cped exits with a code the board's supervisor acts on.</summary>
    public string Power { get; init; } = "kernel";

    [JsonIgnore]
    public NetworkProfile Network => new(Model, Ports, Sriov);
}

[JsonSourceGenerationOptions(AllowDuplicateProperties = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(BoardProfile))]
internal sealed partial class BoardProfileJson : JsonSerializerContext;
