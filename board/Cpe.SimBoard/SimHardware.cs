using Cpe.Board.Gpio;
using Cpe.Board.Profile;

namespace Cpe.SimBoard;

/// <summary>
/// The simulated board's hardware besides its network (docs/reference/simulated-board.md): a GPIO chip as files (the
/// status LED's green and red lines, the reset button's line, released), an hwmon device with a CPU temperature, a fan
/// and a voltage at nominal values, and DMI strings, all under the board's folder; then the board profile that names
/// them. Tests write the button and sensor files and read the LED lines.
/// </summary>
public static class SimHardware
{
    public const int GreenLine = 0, RedLine = 1, ResetLine = 2;
    public const string HwmonName = "sim-board";

    public static string GpioRoot(SimNetworkOptions o) => Path.Combine(o.Directory, "gpio");
    public static string Hwmon(SimNetworkOptions o) => Path.Combine(o.SysfsRoot, "class", "hwmon", "hwmon0");

    public static BoardProfile Create(SimNetworkOptions o, IReadOnlyList<FrontPort> ports, string pf)
    {
        string gpio = GpioRoot(o);
        Directory.CreateDirectory(Path.Combine(gpio, "gpiochip0"));
        File.WriteAllText(SimulatedGpioDriver.LinePath(gpio, 0, ResetLine), "1");   // active low: released
        string hwmon = Hwmon(o);
        Directory.CreateDirectory(hwmon);
        File.WriteAllText(Path.Combine(hwmon, "name"), HwmonName + "\n");
        File.WriteAllText(Path.Combine(hwmon, "temp1_input"), "45000\n");
        File.WriteAllText(Path.Combine(hwmon, "fan1_input"), "4200\n");
        File.WriteAllText(Path.Combine(hwmon, "in0_input"), "1050\n");
        string dmi = Path.Combine(o.SysfsRoot, "class", "dmi", "id");
        Directory.CreateDirectory(dmi);
        File.WriteAllText(Path.Combine(dmi, "product_name"), "CPE Simulated Board\n");
        File.WriteAllText(Path.Combine(dmi, "sys_vendor"), "Example Vendor\n");
        return new BoardProfile("sim", ports)
        {
            Description = "The simulated board: veth front ports, an emulated SR-IOV NIC, GPIO, hwmon and DMI as files",
            Match = new DmiMatch(ProductName: "CPE Simulated Board"),
            Cpu = new CpuProfile([0], Environment.ProcessorCount > 1 ? Enumerable.Range(1, Environment.ProcessorCount - 1).ToList() : []),
            Sriov = new SriovProfile("emulated", o.SysfsRoot, [new PhysicalFunction(pf) { MaxVfs = o.TotalVfs == 0 ? null : o.TotalVfs }]),
            Gpio = new GpioProfile("simulated", gpio),
            Leds = [new LedProfile("status", 0, new Dictionary<string, int> { ["green"] = GreenLine, ["red"] = RedLine })],
            Buttons = [new ButtonProfile("reset", 0, ResetLine, ActiveLow: true)],
            Sensors =
            [
                new SensorProfile("cpu", "temperature", $"hwmon:{HwmonName}/temp1_input", High: 85, Critical: 95),
                new SensorProfile("fan1", "fan", $"hwmon:{HwmonName}/fan1_input", Low: 1000),
                new SensorProfile("vcore", "voltage", $"hwmon:{HwmonName}/in0_input", Low: 0.8, High: 1.3),
            ],
            SysfsRoot = o.SysfsRoot,
            Power = "simulated",
        };
    }
}
