using System.Net.NetworkInformation;
using System.Text.RegularExpressions;
using Cpe.Board.Buttons;
using Cpe.Board.Identity;
using Cpe.Board.Leds;
using Cpe.Board.Profile;
using Cpe.Board.Sensors;
using Cpe.Platform.Board;
using Cpe.TestKit;

namespace Cpe.UnitTests.Board;

/// <summary>The board's logic without hardware: LED patterns and the table a technician reads, the reset button's timing, sensors, MACs.</summary>
[Trait("Kind", "Unit")]
public sealed class BoardLogicTests : IDisposable
{
    readonly TempFolder _dir = new("cpe-board-");
    public void Dispose() => _dir.Dispose();
    static readonly DateTimeOffset T0 = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Patterns_light_and_blink_on_time_and_a_failure_blinks_its_class()
    {
        Assert.Equal("green", LedPattern.InService.ColourAt(TimeSpan.FromHours(5)));
        Assert.Equal("green", LedPattern.PhoningHome.ColourAt(TimeSpan.FromMilliseconds(499)));
        Assert.Null(LedPattern.PhoningHome.ColourAt(TimeSpan.FromMilliseconds(500)));
        // Three blinks then 1.5 s dark: lit during each flash's first 250 ms, dark in between and in the pause.
        var boot = LedPattern.Failure("boot-image");
        var lit = Enumerable.Range(0, 3000 / 50).Select(i => boot.ColourAt(TimeSpan.FromMilliseconds(i * 50)) is not null).ToArray();
        int flashes = lit.Zip(lit.Skip(1)).Count(p => !p.First && p.Second) + (lit[0] ? 1 : 0);
        Assert.Equal(3, flashes);
        Assert.All(lit[(1500 / 50)..], Assert.False);
        Assert.Equal("red, 3 blinks (250 ms on, 250 ms off) then 1.5 s dark", boot.Describe());
        // Holding reset: faster as the hold goes on.
        Assert.True(LedPattern.ResetHeld(TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(10)).OnMs < LedPattern.ResetHeld(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)).OnMs);
    }

    [Fact]
    public void The_technicians_table_in_the_cli_guide_is_the_patterns_the_box_shows()
    {
        string guide = File.ReadAllText(Path.Combine(Binaries.RepositoryRoot, "docs", "guides", "cli.md"));
        var rows = Regex.Matches(guide, @"^\| `(?<state>[a-z-]+)` \| [^|]+ \| (?<led>[^|]+) \|$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups["state"].Value, m => m.Groups["led"].Value.Trim());
        foreach (var pattern in LedPattern.All) Assert.Equal((pattern.State, pattern.Describe()), (pattern.State, rows.GetValueOrDefault(pattern.State)));
        Assert.Equal(LedPattern.All.Count(), rows.Count);
    }

    [Fact]
    public void The_led_follows_an_onboarding_and_what_a_person_does_comes_first()
    {
        StatusLedInputs Inputs(string ztp, string? failure = null, bool started = true) =>
            new(started, ztp, failure, false, false, false, null, TimeSpan.FromSeconds(10), false);
        var sequence = new[]
        {
            Inputs("idle", started: false), Inputs("idle"), Inputs("discovering"), Inputs("discovering", "unreachable"), Inputs("connecting"),
            Inputs("downloading"), Inputs("installing"), Inputs("configuring"), Inputs("complete"), Inputs("in-service"),
        }.Select(i => StatusLedState.Decide(i).State);
        Assert.Equal(["booting", "phoning-home", "phoning-home", "failure-unreachable", "phoning-home", "downloading", "installing", "applying-configuration",
            "in-service", "in-service"], sequence);
        Assert.Equal("failure-configuration", StatusLedState.Decide(Inputs("failed", "configuration")).State);
        Assert.Equal("failure-hardware", StatusLedState.Decide(Inputs("in-service") with { HardwareCritical = true }).State);
        Assert.Equal("failure-platform", StatusLedState.Decide(Inputs("in-service") with { PlatformDegraded = true }).State);
        Assert.Equal("in-service", StatusLedState.Decide(Inputs("idle") with { Configured = true }).State);
        Assert.Equal("reset-held", StatusLedState.Decide(Inputs("in-service") with { HardwareCritical = true, ResetHeld = TimeSpan.FromSeconds(3) }).State);
        Assert.Equal("zeroizing", StatusLedState.Decide(Inputs("in-service") with { ResetHeld = TimeSpan.FromSeconds(3), Zeroizing = true }).State);
    }

    static List<ResetAction> Press(ResetButton button, params (double At, bool Pressed)[] samples) =>
        samples.Select(s => button.Sample(s.Pressed, T0.AddSeconds(s.At))).Where(a => a != ResetAction.None).ToList();

    [Fact]
    public void A_short_press_reboots_a_ten_second_hold_zeroizes_once_and_a_bounce_or_a_change_of_mind_does_nothing()
    {
        var ticks = Enumerable.Range(0, 700).Select(i => i * 0.025).ToArray();   // 17.5 s at the platform's 25 ms poll
        Assert.Equal([ResetAction.Reboot], Press(new ResetButton(), ticks.Select(t => (t, t is >= 1 and < 1.5)).ToArray()));
        Assert.Equal([ResetAction.Zeroize], Press(new ResetButton(), ticks.Select(t => (t, t >= 1)).ToArray()));
        var early = new ResetButton();
        Assert.Empty(Press(early, ticks.Where(t => t < 10.9).Select(t => (t, t >= 1)).ToArray()));
        Assert.Equal(TimeSpan.FromSeconds(9.875), early.Held(T0.AddSeconds(10.9)));
        Assert.Empty(Press(new ResetButton(), ticks.Select(t => (t, t is >= 1 and < 6)).ToArray()));   // let go at 5 s: changed their mind
        Assert.Empty(Press(new ResetButton(), ticks.Select(t => (t, Math.Abs(t - 2) < 0.01)).ToArray()));   // one 25 ms spike: a bounce
    }

    [Fact]
    public void Sensors_read_in_their_units_find_hwmon_devices_by_name_and_say_which_threshold()
    {
        string hwmon = Path.Combine(_dir["sys"], "class/hwmon/hwmon3");
        Directory.CreateDirectory(hwmon);
        File.WriteAllText(Path.Combine(hwmon, "name"), "nct7802\n");
        File.WriteAllText(Path.Combine(hwmon, "temp1_input"), "87500\n");
        File.WriteAllText(Path.Combine(hwmon, "fan1_input"), "900\n");
        File.WriteAllText(Path.Combine(hwmon, "in0_input"), "garbage\n");
        var sensors = new Hwmon(_dir["sys"]);
        var temp = sensors.Read(new SensorProfile("board", "temperature", "hwmon:nct7802/temp1_input", High: 85, Critical: 95));
        Assert.Equal((87.5, "high", "°C"), (temp.Value!.Value, temp.Status, temp.Unit));
        Assert.Equal("critical", Hwmon.StatusOf(temp.Sensor, 95));
        Assert.Equal("ok", Hwmon.StatusOf(temp.Sensor, 84.9));
        var fan = sensors.Read(new SensorProfile("fan1", "fan", "class/hwmon/hwmon3/fan1_input", Low: 1000));
        Assert.Equal((900.0, "low"), (fan.Value!.Value, fan.Status));
        Assert.Contains("not a number", sensors.Read(new SensorProfile("v", "voltage", "hwmon:nct7802/in0_input", Low: 1)).Problem);
        Assert.Contains("no hwmon device named 'coretemp'", sensors.Read(new SensorProfile("cpu", "temperature", "hwmon:coretemp/temp1_input", High: 1)).Problem);
    }

    [Fact]
    public void Port_and_vf_macs_follow_the_documented_rule_and_keep_the_oui()
    {
        var baseMac = MacAddresses.Parse("00:1b:21:ff:ff:fe")!;
        Assert.Equal("00:1b:21:ff:ff:fe", MacAddresses.Format(MacAddresses.Port(baseMac, 0)));
        Assert.Equal("00:1b:21:00:00:01", MacAddresses.Format(MacAddresses.Port(baseMac, 3)));   // wraps in the low three octets
        Assert.Equal("02:1b:21:00:01:40", MacAddresses.Format(MacAddresses.Vf(MacAddresses.Parse("00:1b:21:00:00:00")!, 1, 0)));
        Assert.Null(MacAddresses.Parse("01:00:5e:00:00:01"));   // multicast: not a base address
        Assert.Null(MacAddresses.Parse("00:1b:21:00:00"));
        var all = Enumerable.Range(0, 8).Select(p => MacAddresses.Port(baseMac, p))
            .Concat(Enumerable.Range(0, 2).SelectMany(pf => Enumerable.Range(0, 64).Select(vf => MacAddresses.Vf(baseMac, pf, vf))))
            .Select(MacAddresses.Format).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }
}
