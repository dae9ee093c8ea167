using Cpe.Board.Profile;
using Cpe.TestKit;

namespace Cpe.UnitTests.Board;

/// <summary>Board profiles: every field checked with its name in the error, the shipped profiles valid, selection by DMI.</summary>
[Trait("Kind", "Unit")]
public sealed class BoardProfileTests : IDisposable
{
    readonly TempFolder _dir = new("cpe-board-");
    public void Dispose() => _dir.Dispose();

    const string Ports = """ "ports":[{"name":"ge-0/0/0","netdev":"eth0","role":"wan"},{"name":"ge-0/0/1","netdev":"eth1"}] """;

    [Theory]
    [InlineData("""{"ports":[{"name":"ge-0/0/0","netdev":"a"}]}""", "model: is required")]
    [InlineData("""{"model":"x","ports":[]}""", "ports: at least one front port is required")]
    [InlineData("""{"model":"x","ports":[{"name":"eth0","netdev":"a"}]}""", "ports[0].name: 'eth0' is not a port name like ge-0/0/0")]
    [InlineData("""{"model":"x","ports":[{"name":"ge-0/0/0","netdev":"a"},{"name":"ge-0/0/1","netdev":"a"}]}""", "ports[1].netdev: 'a' is named by more than one port")]
    [InlineData("""{"model":"x","ports":[{"name":"ge-0/0/0"}]}""", "ports[0]: needs a netdev or a pci address")]
    [InlineData("""{"model":"x","ports":[{"name":"ge-0/0/0","pci":"3:0.0"}]}""", "ports[0].pci: '3:0.0' is not a PCI address like 0000:03:00.0")]
    [InlineData("""{"model":"x","ports":[{"name":"ge-0/0/0","netdev":"a","role":"uplink"}]}""", "ports[0].role: 'uplink' is not one of wan, lan, management")]
    [InlineData("""{"model":"x",PORTS,"sriov":{"driver":"magic"}}""", "sriov.driver: 'magic' is neither 'kernel' nor 'emulated'")]
    [InlineData("""{"model":"x",PORTS,"sriov":{"pfs":[{"port":"ge-0/0/9"}]}}""", "sriov.pfs[0].port: 'ge-0/0/9' is not one of the ports")]
    [InlineData("""{"model":"x",PORTS,"sriov":{"pfs":[{"netdev":"p","maxVfs":0}]}}""", "sriov.pfs[0].maxVfs: 0 is outside 1..256")]
    [InlineData("""{"model":"x",PORTS,"cpu":{"platformCores":[0,1],"vnfCores":[1,2]}}""", "cpu.vnfCores: core 1 is also a platform core")]
    [InlineData("""{"model":"x",PORTS,"leds":[{"name":"status","chip":0,"colours":{"green":1}}]}""", "gpio: LEDs and buttons need a gpio driver")]
    [InlineData("""{"model":"x",PORTS,"gpio":{"driver":"libgpiod"},"leds":[{"name":"status","chip":0,"colours":{"purple":1}}]}""", "leds[0].colours.purple: not one of green, red, amber")]
    [InlineData("""{"model":"x",PORTS,"gpio":{"driver":"libgpiod"},"leds":[{"name":"status","chip":"zero","colours":{"green":1}}]}""", "leds[0].chip: ")]
    [InlineData("""{"model":"x",PORTS,"gpio":{"driver":"libgpiod"},"leds":[{"name":"s","chip":0,"colours":{"green":3}}],"buttons":[{"name":"reset","chip":0,"line":3}]}""", "buttons[0].line: gpiochip line 0:3 is already used")]
    [InlineData("""{"model":"x",PORTS,"gpio":{"driver":"libgpiod"},"buttons":[{"name":"reset","chip":0,"lin":3}]}""", "buttons[0].lin: ")]
    [InlineData("""{"model":"x",PORTS,"watchdog":{"device":"/dev/watchdog","timeoutSeconds":1}}""", "watchdog.timeoutSeconds: 1 is outside 2..600")]
    [InlineData("""{"model":"x",PORTS,"sensors":[{"name":"cpu","kind":"pressure","path":"t","high":1}]}""", "sensors[0].kind: 'pressure' is not one of temperature, fan, voltage")]
    [InlineData("""{"model":"x",PORTS,"sensors":[{"name":"cpu","kind":"temperature","path":"../etc/t","high":1}]}""", "sensors[0].path: '../etc/t' must be a path under the sysfs root")]
    [InlineData("""{"model":"x",PORTS,"sensors":[{"name":"cpu","kind":"temperature","path":"t","high":90,"critical":80}]}""", "sensors[0].high: must be below critical")]
    [InlineData("""{"model":"x",PORTS,"sensors":[{"name":"cpu","kind":"temperature","path":"t"}]}""", "sensors[0]: needs a threshold (low, high or critical)")]
    [InlineData("""{"model":"x",PORTS,"console":{"device":"ttyS0","baud":1234}}""", "console.baud: 1234 is not one of 9600")]
    [InlineData("""{"model":"x",PORTS,"power":"battery"}""", "power: 'battery' is neither 'kernel' nor 'simulated'")]
    [InlineData("""{"model":""", "model: ")]
    public void A_profile_with_a_bad_field_is_refused_with_the_fields_name(string json, string reason)
    {
        File.WriteAllText(_dir["board.json"], json.Replace("PORTS", Ports.Trim(), StringComparison.Ordinal));
        var e = Assert.Throws<InvalidDataException>(() => BoardProfileLoader.Load(_dir["board.json"]));
        Assert.StartsWith($"{_dir["board.json"]}: {reason}", e.Message);
    }

    [Fact]
    public void The_shipped_profiles_are_valid_and_a_port_named_by_pci_address_gets_its_netdev()
    {
        string folder = Path.Combine(Binaries.RepositoryRoot, "board", "profiles");
        var files = Directory.GetFiles(folder, "*.json");
        Assert.Contains(Path.Combine(folder, "ref-c3000.json"), files);
        foreach (var file in files) BoardProfileLoader.Load(file);

        // The reference box's ports are PCI functions: their netdevs come from sysfs, and the PFs named by port follow.
        string sys = _dir["sys"];
        foreach (var (pci, netdev) in new[] { ("0000:0b:00.0", "eth0"), ("0000:0b:00.1", "eth1"), ("0000:02:00.1", "eth3") })
            Directory.CreateDirectory(Path.Combine(sys, "bus/pci/devices", pci, "net", netdev));
        string json = File.ReadAllText(Path.Combine(folder, "ref-c3000.json")).Replace("\"power\": \"kernel\"", $"\"power\": \"kernel\", \"sysfsRoot\": \"{sys}\"", StringComparison.Ordinal);
        var profile = BoardProfileLoader.Parse(json, "ref-c3000.json");
        Assert.Equal(["eth0", "eth1", "", "eth3", "", ""], profile.Ports.Select(p => p.Netdev).ToArray());
        Assert.Equal(["eth1", "eth3"], profile.Network.PhysicalFunctions);
        Assert.Equal("xe-0/0/0", profile.Network.Wan!.Name);
        Assert.Equal([1, 2, 3], profile.Cpu!.VnfCores);
    }

    [Fact]
    public void A_profile_round_trips_and_auto_selection_reads_dmi()
    {
        var profile = new BoardProfile("sim", [new FrontPort("ge-0/0/0", "p0", "wan") { SpeedMbps = 1000 }])
        {
            Match = new DmiMatch(ProductName: "Box One"),
            Sriov = new SriovProfile("emulated", "/x", [new PhysicalFunction("pf0") { MaxVfs = 4 }]),
            Gpio = new GpioProfile("simulated", "/x/gpio"),
            Leds = [new LedProfile("status", 0, new Dictionary<string, int> { ["green"] = 0, ["red"] = 1 })],
            Watchdog = new WatchdogProfile("/x/watchdog", 6),
            Sensors = [new SensorProfile("cpu", "temperature", "hwmon:sim/temp1_input", High: 85, Critical: 95)],
        };
        Directory.CreateDirectory(_dir["boards"]);
        BoardProfileLoader.Save(profile, Path.Combine(_dir["boards"], "one.json"));
        BoardProfileLoader.Save(profile with { Model = "two", Match = new DmiMatch(ProductName: "Box Two") }, Path.Combine(_dir["boards"], "two.json"));
        var back = BoardProfileLoader.Load(Path.Combine(_dir["boards"], "one.json"));
        Assert.Equal(BoardProfileLoader.ToJson(profile), BoardProfileLoader.ToJson(back));
        Assert.Equal(4, back.Network.Sriov!.Pfs![0].MaxVfs);

        string dmi = Path.Combine(_dir["sys"], "class/dmi/id");
        Directory.CreateDirectory(dmi);
        File.WriteAllText(Path.Combine(dmi, "product_name"), "BOX TWO\n");
        Assert.Equal("two", BoardSelection.Select(BoardSelection.Auto, _dir["boards"], _dir["sys"]).Model);
        File.WriteAllText(Path.Combine(dmi, "product_name"), "Box Three\n");
        var e = Assert.Throws<InvalidDataException>(() => BoardSelection.Select(BoardSelection.Auto, _dir["boards"], _dir["sys"]));
        Assert.Contains("matches this board (DMI vendor '', product 'Box Three', board ''); name one with --board", e.Message);
        Assert.Equal("sim", BoardSelection.Select(Path.Combine(_dir["boards"], "one.json"), "/nonexistent").Model);
    }
}
