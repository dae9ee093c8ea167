using Cpe.Api;
using Cpe.Board.Gpio;
using Cpe.Board.Profile;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Board;

/// <summary>
/// The board on the simulated board, with the real cped: its inventory against the profile and the factory storage,
/// sensors raising and clearing alarms, the reset button (a short press reboots, a 10 s hold zeroizes and keeps the
/// identity) and the CLI's requests. The GPIO lines and hwmon files are the simulated board's; tests drive them.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class BoardTests : IAsyncLifetime
{
    const string BaseMac = "02:00:5e:10:00:00";
    readonly SimBoard _sim = new(lanPorts: 2, totalVfs: 7);
    readonly TempFolder _dir = new("cpe-board-");
    DaemonProcess _cped = null!;

    string Factory => _dir["factory"];
    string Gpio => Path.Combine(_sim.Directory, "gpio");
    string ResetLine => SimulatedGpioDriver.LinePath(Gpio, 0, 2);
    string Hwmon(string file) => Path.Combine(_sim.SysfsRoot, "class/hwmon/hwmon0", file);

    public async Task InitializeAsync()
    {
        Command.Run(Binaries.VendorTool, ["ca", "create", "--dir", _dir["vendor"]]);
        Command.Run(Binaries.VendorTool, ["device", "issue", "--ca-dir", _dir["vendor"], "--serial", "SIM-0042", "--base-mac", BaseMac, "--factory", Factory]);
        _cped = NewCped();
        await _cped.StartAsync();
    }

    DaemonProcess NewCped(string? state = null) => new(state)
    {
        NetworkNamespace = _sim.Box,
        BoardProfile = _sim.ProfilePath,
        ExtraArguments = ["--factory", Factory, "--erase-on-zeroize", _dir["agent-state"]],
    };

    public async Task DisposeAsync()
    {
        await _cped.DisposeAsync();
        _sim.Dispose();
        _dir.Dispose();
    }

    static async Task Eventually(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what}: not within {limit.TotalSeconds:0} s");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Show_chassis_hardware_is_the_profile_joined_with_the_factory_identity_and_the_kernel()
    {
        var profile = BoardProfileLoader.Load(_sim.ProfilePath);
        await using var api = await _cped.ConnectAsync();
        var hardware = await api.HardwareAsync();
        Assert.Equal(("sim", "SIM-0042", BaseMac), (hardware.Model, hardware.SerialNumber, hardware.BaseMac));
        Assert.Equal(profile.Ports.Select(p => (p.Name, p.Netdev, p.Role)).Append(("-", "sriov0", "sriov")), hardware.Nics.Select(n => (n.Port, n.Netdev, n.Role)));
        Assert.Equal(["02:00:5e:10:00:00", "02:00:5e:10:00:01", "02:00:5e:10:00:02"], hardware.Nics.Take(3).Select(n => n.Mac!).ToArray());
        Assert.Equal(7, hardware.Nics.Single(n => n.Netdev == "sriov0").SriovTotalVfs);
        Assert.Equal("Example Vendor CPE Simulated Board", hardware.Dmi);
        Assert.Equal(Environment.ProcessorCount, hardware.Cpu.Cores);
        Assert.True(hardware.MemoryBytes > 1L << 30);

        var shown = await CliProcess.RunAsync(_cped.SocketPath, "show chassis hardware");
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("Serial number:  SIM-0042\n", shown.Output);
        Assert.Contains("ge-0/0/2   ge-0-0-2        lan ", shown.Output);
        var version = await CliProcess.RunAsync(_cped.SocketPath, "show version");
        Assert.Matches(@"^Hostname: \S+\nModel: sim\nSerial number: SIM-0042\nSoftware: ", version.Output);
    }

    [Fact]
    public async Task Ports_and_vfs_get_their_macs_from_the_base_mac_by_the_rule_unless_the_configuration_names_one()
    {
        string Mac(string netdev) => _sim.IpJson("link", "show", netdev)[0]!["address"]!.GetValue<string>();
        Assert.Equal(["02:00:5e:10:00:00", "02:00:5e:10:00:01", "02:00:5e:10:00:02"], new[] { "ge-0-0-0", "ge-0-0-1", "ge-0-0-2" }.Select(Mac).ToArray());
        await using var api = await _cped.ConnectAsync();
        await api.EnterConfigAsync(false);
        await api.SetAsync(["sriov", "pf", "sriov0", "vf-count", "2"]);
        await api.SetAsync(["sriov", "pf", "sriov0", "vf", "1", "mac", "02:00:00:00:00:99"]);
        await api.CommitAsync(new CommitParams());
        var vfs = (await api.SriovAsync()).Single().Vfs;
        Assert.Equal(["02:00:5e:10:01:00", "02:00:00:00:00:99"], vfs.Select(v => v.Mac).ToArray());
        // The DHCP client asks with the port's new address, and the server leases to it.
        await Eventually(async () => (await api.DhcpClientsAsync()).Single().Address is not null, TimeSpan.FromSeconds(15), "a lease");
        Assert.Contains("02:00:5e:10:00:00", File.ReadAllText(Path.Combine(_sim.Directory, "dnsmasq.leases")));
    }

    [Fact]
    public async Task A_sensor_past_its_threshold_raises_an_alarm_that_clears_when_it_comes_back_and_the_led_says_so()
    {
        await using var api = await _cped.ConnectAsync();
        Assert.Empty(await api.AlarmsAsync());
        File.WriteAllText(Hwmon("temp1_input"), "97000\n");
        await Eventually(async () => (await api.AlarmsAsync()).Any(a => a.Type == "sensor-cpu-critical"), TimeSpan.FromSeconds(10), "the critical alarm");
        var alarm = (await api.AlarmsAsync()).Single(a => a.Type.StartsWith("sensor-", StringComparison.Ordinal));
        Assert.Equal(("critical", "cpu temperature is 97 °C, at or above its critical threshold 95 °C"), (alarm.Severity, alarm.Text));
        var shown = await CliProcess.RunAsync(_cped.SocketPath, "show system alarms; show chassis environment");
        Assert.Contains("sensor-cpu-critical", shown.Output);
        Assert.Contains("cpu        temperature  97 °C        critical    high 85, critical 95", shown.Output);
        await Eventually(async () => (await api.EnvironmentAsync()).LedPattern == "failure-hardware", TimeSpan.FromSeconds(5), "the hardware blink code");

        File.WriteAllText(Hwmon("temp1_input"), "88000\n");   // still hot: the critical alarm gives way to a major one
        await Eventually(async () => (await api.AlarmsAsync()).Select(a => a.Type).SequenceEqual(["sensor-cpu-high"]), TimeSpan.FromSeconds(10), "high, not critical");
        File.WriteAllText(Hwmon("temp1_input"), "45000\n");
        await Eventually(async () => (await api.AlarmsAsync()).Length == 0, TimeSpan.FromSeconds(10), "the alarm cleared");
        Assert.NotEqual("failure-hardware", (await api.EnvironmentAsync()).LedPattern);
        var log = (await api.LogAsync(200)).Select(e => e.Text).ToList();
        Assert.Contains("alarm sensor-cpu-critical cleared", log);
    }

    [Fact]
    public async Task A_short_press_reboots_and_the_cli_asks_before_it_does_the_same()
    {
        File.WriteAllText(ResetLine, "0");
        await Task.Delay(300);
        File.WriteAllText(ResetLine, "1");
        Assert.Equal(75, await _cped.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));

        await using var again = NewCped(_cped.StateDirectory);
        await again.StartAsync();
        await using (var api = await again.ConnectAsync())
            Assert.Contains("power: reboot requested: reset button pressed", (await api.LogAsync(100)).Select(e => $"{e.Type}: {e.Text}"));
        // A script is never asked, and gets the safe answer; a person on the console is asked.
        var scripted = await CliProcess.RunAsync(again.SocketPath, "request system reboot");
        Assert.True(scripted.ExitCode == 0, scripted.ToString());
        using var tty = PtyDriver.Start(Binaries.Cpe, ["--socket", again.SocketPath]);
        tty.WaitFor("> ");
        tty.Type("request system reboot\r");
        tty.WaitFor("Reboot the box? [yes,no] (no) ");
        tty.Type("no\r");
        tty.WaitFor("> ");
        await Task.Delay(500);
        Assert.False(again.Process.HasExited, "declined, yet cped stopped");
        tty.Type("request system reboot\r");
        tty.WaitFor("Reboot the box? [yes,no] (no) ");
        tty.Type("yes\r");
        tty.WaitFor("rebooting");
        Assert.Equal(75, await again.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Power_off_and_zeroize_through_the_api_are_admin_requests_recorded_with_who_asked()
    {
        await using (var api = await _cped.ConnectAsync())
            Assert.Equal("powering off", (await api.PowerAsync("power-off", reason: "site closing")).Message);
        Assert.Equal(76, await _cped.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        await using var again = NewCped(_cped.StateDirectory);
        await again.StartAsync();
        await using (var api = await again.ConnectAsync())
        {
            var log = (await api.LogAsync(100)).Select(e => $"{e.Type}: {e.Text}").ToList();
            Assert.True(log.Contains("power: power-off requested: site closing by root"), string.Join("\n", log));
            Assert.StartsWith("zeroizing", (await api.PowerAsync("zeroize")).Message);
        }
        Assert.Equal(75, await again.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.DoesNotContain(Directory.GetFileSystemEntries(again.StateDirectory), e => !e.EndsWith("cped.log", StringComparison.Ordinal));
    }

    /// <summary>Every file of the factory storage, with a hash of its bytes.</summary>
    string[] FactoryFiles() => Directory.GetFiles(Factory).Order(StringComparer.Ordinal)
        .Select(f => $"{Path.GetFileName(f)} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))}").ToArray();

    [Fact]
    public async Task Holding_reset_for_ten_seconds_zeroizes_keeps_the_identity_and_the_box_comes_back_in_factory_default()
    {
        await using (var api = await _cped.ConnectAsync())
        {
            await api.EnterConfigAsync(false);
            await api.SetAsync(["system", "host-name", "site-42"]);
            await api.CommitAsync(new CommitParams());
        }
        Directory.CreateDirectory(_dir["agent-state"]);
        File.WriteAllText(Path.Combine(_dir["agent-state"], "progress.json"), "{}");
        var factoryBefore = FactoryFiles();

        File.WriteAllText(ResetLine, "0");
        var held = System.Diagnostics.Stopwatch.StartNew();
        await Eventually(async () =>
        {
            await using var api = await _cped.ConnectAsync();
            return (await api.EnvironmentAsync()).LedPattern == "reset-held";
        }, TimeSpan.FromSeconds(3), "the hold shown");
        Assert.Equal(75, await _cped.Process.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.InRange(held.Elapsed.TotalSeconds, 9.5, 14);
        File.WriteAllText(ResetLine, "1");

        // The red line blinked while the button was held, faster towards the end, then stayed lit (zeroizing).
        var red = File.ReadAllLines(SimulatedGpioDriver.LinePath(Gpio, 0, 1) + ".log").Select(l => long.Parse(l.Split(' ')[0])).ToList();
        Assert.True(red.Count > 20, $"only {red.Count} changes of the red line");
        Assert.DoesNotContain(Directory.GetFileSystemEntries(_cped.StateDirectory), e => !e.EndsWith("cped.log", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFileSystemEntries(_dir["agent-state"]));
        Assert.Equal(factoryBefore, FactoryFiles());

        await using var again = NewCped(_cped.StateDirectory);
        await again.StartAsync();
        await using var fresh = await again.ConnectAsync();
        Assert.Equal(["system"], (await fresh.HistoryAsync()).Select(r => r.Source).Distinct().ToArray());
        Assert.NotEqual("site-42", (await fresh.GetConfigAsync("active", ["system", "host-name"])).Subtree?.GetValue<string>());
        Assert.Equal("SIM-0042", (await fresh.HardwareAsync()).SerialNumber);
    }
}

static class ProcessExit
{
    public static async Task<int> WaitForExitAsync(this System.Diagnostics.Process process, TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        await process.WaitForExitAsync(cts.Token);
        return process.ExitCode;
    }
}
