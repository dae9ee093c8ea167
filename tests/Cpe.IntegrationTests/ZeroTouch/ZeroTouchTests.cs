using Cpe.Api;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.ZeroTouch;

/// <summary>
/// The headline: a factory-fresh box on the simulated board provisions itself from the vendor server, nobody typing.
/// Real cped, real cpe-phonehome as an unprivileged user, real server over mTLS, real dnsmasq with option 143.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class ZeroTouchTests : IAsyncLifetime
{
    ZeroTouchLab _lab = null!;

    public async Task InitializeAsync() => _lab = await ZeroTouchLab.StartAsync();
    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task A_factory_fresh_box_is_onboarded_without_anyone_typing()
    {
        _lab.Enroll(SiteBundle.Bundle(postScript: "#!/bin/sh\necho post-script ran as $(id -u)\n"));
        await _lab.PowerOnAsync();
        await _lab.Agent!.WaitForLineAsync(l => l.Contains("ZTP: bootstrap-complete", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "bootstrap-complete");

        // The server saw the whole RFC 8572 sequence, in order.
        string progress = _lab.Progress();
        string[] expected = ["bootstrap-initiated", "parsing-complete", "config-initiated", "config-complete", "post-script-initiated", "post-script-complete", "bootstrap-complete"];
        Assert.Equal(expected, progress.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[1].TrimEnd(':')).ToArray());
        Assert.Contains("post-script-complete: exit 0", progress);
        Assert.Contains("post-script ran as 65534", progress);

        // The configuration was committed through cped with source ztp; the kernel has the bridge and the VFs.
        await using var api = await _lab.Cped!.ConnectAsync();
        var history = await api.HistoryAsync();
        Assert.Equal(("ztp", "nobody"), (history[0].Source, history[0].Author));
        var bridge = (await api.BridgesAsync()).Single();
        Assert.Equal(["ge-0/0/1", "ge-0/0/2"], bridge.Ports.Select(p => p.Name).ToArray());
        Assert.Equal(2, (await api.SriovAsync()).Single().NumVfs);
        Assert.Contains((await api.ZtpStatusAsync()).State, new[] { "complete", "in-service" });
        var shown = await CliProcess.RunAsync(_lab.Cped.SocketPath, "show system zero-touch");
        Assert.Matches(@"Zero-touch state: (complete|in-service) \(since ", shown.Output);
        Assert.Contains("post-configuration script exited with 0", shown.Output);

        // The status LED went through the technician's table in order (docs/guides/cli.md), and now shows steady green.
        // A round that ends before the DHCP lease is bound blinks code 1 (unreachable) until the next.
        await AgentSays("ZTP: [complete]");
        var led = (await api.LogAsync(500)).Where(e => e.Type == "led").Select(e => e.Text["status LED: ".Length..]).ToArray();
        var seen = led.Where(p => p != "failure-unreachable").ToList();
        Assert.Equal(["booting", "phoning-home", "applying-configuration", "in-service"], seen.Where((p, i) => i == 0 || seen[i - 1] != p).ToArray());
        string Line(int line) => File.ReadAllText(Cpe.Board.Gpio.SimulatedGpioDriver.LinePath(Path.Combine(_lab.Sim.Directory, "gpio"), 0, line));
        Assert.Equal(("1", "0"), (Line(0), Line(1)));   // green lit, red dark

        // The LAN host reaches the WAN host through the box.
        _lab.OnLanHost("ip", "addr", "add", "192.168.1.10/24", "dev", "lan1");
        _lab.OnLanHost("ip", "route", "add", "default", "via", "192.168.1.1");
        string wanAddress = (await api.DhcpClientsAsync()).Single().Address!.Split('/')[0];
        Command.Run("ip", ["netns", "exec", _lab.Sim.Wan, "ip", "route", "add", "192.168.1.0/24", "via", wanAddress]);
        string ping = _lab.OnLanHost("ping", "-c", "1", "-W", "2", ZeroTouchLab.ServerAddress);
        Assert.Contains("1 received", ping);
    }

    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    Task<(DateTimeOffset Time, string Line)> AgentSays(string text, string? what = null) =>
        _lab.Agent!.WaitForLineAsync(l => l.Contains(text, StringComparison.Ordinal), Patience, what ?? text);

    static string[] Types(string progress) =>
        progress.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[1].TrimEnd(':')).ToArray();

    /// <summary>
    /// The box enrolled with a voucher for SIM-9999. The server refuses that at enrolment (it checks a voucher as the device
    /// will), so the voucher is planted in its database, as a server that did not check would hold it: what is tested here
    /// is the device's own check.
    /// </summary>
    void EnrollWithForeignVoucher(System.Text.Json.Nodes.JsonObject bundle)
    {
        _lab.Enroll(bundle);
        var store = Cpe.VendorServer.Storage.ServerStore.Open(_lab.Database);
        var enrolled = store.Find(_lab.Serial)!;
        store.Enroll(enrolled with { OwnershipVoucher = File.ReadAllBytes(_lab.IssueVoucher("voucher-other.cms", serial: "SIM-9999")) });
    }

    [Fact]
    public async Task Every_body_the_agent_sent_and_the_server_answered_validates_with_yanglint()
    {
        // First a voucher for another box (refused, reported as parsing-error), then the right one: the agent's next round succeeds.
        var bundle = SiteBundle.Bundle(preScript: "#!/bin/sh\nexit 1\n", postScript: "#!/bin/sh\necho done\n");
        EnrollWithForeignVoucher(bundle);
        await _lab.PowerOnAsync("--nonce");
        await AgentSays("ZTP: parsing-error");
        _lab.Enroll(bundle);
        await AgentSays("ZTP: [complete]");   // printed after the bootstrap-complete report was sent
        var files = Directory.GetFiles(_lab.Wire).Order().ToArray();
        Assert.True(files.Length >= 12, string.Join(", ", files.Select(Path.GetFileName)));
        var types = new HashSet<string>();
        foreach (var file in files)
        {
            string name = Path.GetFileNameWithoutExtension(file);
            string rpc = name.Contains("get-bootstrapping-data", StringComparison.Ordinal) ? "get-bootstrapping-data" : "report-progress";
            var body = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllBytes(file))!;
            var (exit, output) = Yanglint.Validate(name.EndsWith("-reply", StringComparison.Ordinal) ? "reply" : "rpc", rpc, body, _lab.Dir.Path);
            Assert.True(exit == 0, $"{name}: {output}\n{body.ToJsonString()}");
            if (body["ietf-sztp-bootstrap-server:input"]?["progress-type"] is { } t) types.Add(t.GetValue<string>());
            if (body["ietf-sztp-bootstrap-server:input"]?["nonce"] is { } n) Assert.Equal(32, Convert.FromBase64String(n.GetValue<string>()).Length);
        }
        foreach (var t in new[] { "bootstrap-initiated", "parsing-error", "parsing-complete", "pre-script-warning", "pre-script-complete", "config-complete", "post-script-complete", "bootstrap-complete" })
            Assert.Contains(t, types);
    }

    [Fact]
    public async Task With_the_server_down_at_power_on_the_agent_backs_off_and_succeeds_when_it_returns()
    {
        _lab.Enroll(SiteBundle.Bundle());
        await _lab.StopServerAsync();
        await _lab.PowerOnAsync();
        await AgentSays("next round in");
        await _lab.Agent!.WaitForLineAsync(l => l.Contains("next round in", StringComparison.Ordinal)
            && _lab.Agent.Lines.Count(x => x.Line.Contains("next round in", StringComparison.Ordinal)) >= 3, Patience, "three failed rounds");
        await _lab.StartServerAsync();
        await AgentSays("ZTP: bootstrap-complete");
        // The waits grew: 0.2 s doubling, each within a quarter either way.
        var waits = _lab.Agent.Lines.Select(l => System.Text.RegularExpressions.Regex.Match(l.Line, @"next round in ([\d.]+) s"))
            .Where(m => m.Success).Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(waits.Length >= 3, string.Join(", ", waits));
        for (int i = 0; i < 3; i++) Assert.InRange(waits[i], 0.2 * Math.Pow(2, i) * 0.75 - 0.05, 0.2 * Math.Pow(2, i) * 1.25 + 0.05);
    }

    [Fact]
    public async Task With_the_server_down_show_system_zero_touch_names_each_try_s_cause_and_a_retry_starts_the_next_round_at_once()
    {
        _lab.Enroll(SiteBundle.Bundle());
        await _lab.StopServerAsync();
        // Rounds 30 s apart: the retry, not the wait, must start the next one.
        await _lab.PowerOnAsync("--backoff-first", "30000");
        await AgentSays("next round in");

        var shown = await CliProcess.RunAsync(_lab.Cped!.SocketPath, "show system zero-touch");
        Assert.Contains("no source gave usable bootstrap data: no TCP connection", shown.Output);
        Assert.Contains($"  DHCP option 143 on ge-0/0/0: {ZeroTouchLab.DeviceUrl}/ at {ZeroTouchLab.ServerAddress}\n    no TCP connection: ", shown.Output);
        Assert.Contains("Next round: ", shown.Output);
        Assert.All(shown.Output.Split('\n'), line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));

        await _lab.StartServerAsync();
        var retried = await CliProcess.RunAsync(_lab.Cped!.SocketPath, "request system zero-touch retry");
        Assert.Equal("zero-touch starts its next round now\n", retried.Output);
        await _lab.Agent!.WaitForLineAsync(l => l.Contains("retry requested on the box", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the retry");
        await AgentSays("ZTP: bootstrap-complete");
        // The agent prints its last step before cped has taken its final status: ask until cped says complete.
        string done = "";
        await Poll.UntilAsync(async () => (done = (await CliProcess.RunAsync(_lab.Cped!.SocketPath, "show system zero-touch; request system zero-touch retry")).Output)
            .Contains("Zero-touch state: complete", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "cped to show zero-touch complete", TimeSpan.FromMilliseconds(200));
        Assert.DoesNotContain("Last round", done);
        Assert.Contains("zero-touch is complete: there is nothing to retry", done);
    }

    [Fact]
    public async Task An_agent_killed_mid_process_resumes_at_the_step_it_was_in()
    {
        _lab.Enroll(SiteBundle.Bundle(preScript: "#!/bin/sh\necho pre\n", postScript: "#!/bin/sh\nsleep 2\necho post done\n"));
        await _lab.PowerOnAsync();
        await AgentSays("ZTP: post-script-initiated");
        _lab.Agent!.Kill();
        await _lab.Agent.DisposeAsync();
        _lab.StartAgent();
        await AgentSays("ZTP: bootstrap-complete");
        Assert.Contains("resuming: already done for this onboarding information: pre-script, config", _lab.Agent.Output);
        var types = Types(_lab.Progress());
        // The pre-script and the commit ran once; the post-script that was cut ran again.
        Assert.Equal(1, types.Count(t => t == "pre-script-complete"));
        Assert.Equal(1, types.Count(t => t == "config-complete"));
        Assert.Equal(2, types.Count(t => t == "post-script-initiated"));
        Assert.Equal("bootstrap-complete", types[^1]);
        await using var api = await _lab.Cped!.ConnectAsync();
        Assert.Equal(1, (await api.HistoryAsync()).Count(r => r.Source == "ztp"));
    }

    [Fact]
    public async Task A_configuration_that_fails_its_commit_is_reported_as_config_error_and_the_box_keeps_its_configuration()
    {
        var configuration = SiteBundle.Configuration();
        configuration["interfaces"] = new System.Text.Json.Nodes.JsonObject
        {
            ["interface"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["name"] = "ge-0/0/9", ["mtu"] = 9000 }),
        };
        _lab.Enroll(SiteBundle.Bundle(configuration: configuration, postScript: "#!/bin/sh\necho never\n"));
        await _lab.PowerOnAsync();
        await AgentSays("ZTP: config-error");
        await AgentSays("[failed]");
        var progress = _lab.Progress();
        Assert.Equal(["bootstrap-initiated", "parsing-complete", "config-initiated", "config-error"], Types(progress).Take(4).ToArray());
        Assert.Contains("this box (sim) has no port ge-0/0/9", progress);
        Assert.DoesNotContain("post-script", progress);
        await using var api = await _lab.Cped!.ConnectAsync();
        var history = await api.HistoryAsync();
        Assert.Equal(["system"], history.Select(r => r.Source).Distinct().ToArray());
        Assert.Empty(await api.BridgesAsync());
    }

    [Fact]
    public async Task Conveyed_information_signed_with_openssl_cms_and_the_owner_artifact_from_openssl_onboard_the_box()
    {
        var json = new System.Text.Json.Nodes.JsonObject
        {
            ["ietf-sztp-conveyed-info:onboarding-information"] = new System.Text.Json.Nodes.JsonObject
            {
                ["configuration-handling"] = "merge",
                ["configuration"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(SiteBundle.Configuration("openssl-site").ToJsonString())),
            },
        };
        File.WriteAllText(_lab.Dir["info.json"], json.ToJsonString());
        string owner = Path.Combine(_lab.Owner, "owner.pem"), key = Path.Combine(_lab.Owner, "owner.key");
        Command.Run("openssl", ["cms", "-sign", "-binary", "-nodetach", "-outform", "DER", "-md", "sha256", "-econtent_type", "1.2.840.113549.1.9.16.1.43",
            "-signer", owner, "-inkey", key, "-in", _lab.Dir["info.json"], "-out", _lab.Dir["openssl.cms"]]);
        Command.Run("openssl", ["crl2pkcs7", "-nocrl", "-certfile", owner, "-outform", "DER", "-out", _lab.Dir["owner-openssl.cms"]]);
        Command.Run(Binaries.VendorServer, ["enroll", "--db", _lab.Database, "--serial", _lab.Serial, "--conveyed", _lab.Dir["openssl.cms"],
            "--owner-certificate", _lab.Dir["owner-openssl.cms"], "--voucher", _lab.Dir["voucher.cms"], "--vendor-ca", Path.Combine(_lab.Vendor, "vendor-ca.pem")]);
        await _lab.PowerOnAsync();
        await AgentSays("ZTP: bootstrap-complete");
        Assert.Contains("parsing-complete: signed by the owner, voucher verified", _lab.Progress());
        await using var api = await _lab.Cped!.ConnectAsync();
        Assert.Equal("openssl-site", (await api.GetConfigAsync("active", ["system", "host-name"])).Subtree!.GetValue<string>());
    }

    [Fact]
    public async Task A_voucher_for_another_serial_number_is_refused_reported_as_parsing_error_and_nothing_is_applied()
    {
        EnrollWithForeignVoucher(SiteBundle.Bundle());
        await _lab.PowerOnAsync();
        await AgentSays("ZTP: parsing-error");
        var progress = _lab.Progress();
        Assert.Equal(["bootstrap-initiated", "parsing-error"], Types(progress).Take(2).ToArray());
        Assert.Contains("ownership voucher: is for serial number SIM-9999", progress);
        await using var api = await _lab.Cped!.ConnectAsync();
        Assert.Equal(["system"], (await api.HistoryAsync()).Select(r => r.Source).Distinct().ToArray());
        await AgentSays("[failed]");
    }

}

/// <summary>Discovery through DNS (RFC 8572 §4.2): the server found by its SRV record when option 143 leads nowhere.</summary>
[Trait("Kind", "Integration")]
public sealed class DnsDiscoveryTests : IAsyncLifetime
{
    ZeroTouchLab _lab = null!;

    public async Task InitializeAsync() =>
        _lab = await ZeroTouchLab.StartAsync(sztpUrls: ["https://192.0.2.1:9"], sztpSrv: $"{ZeroTouchLab.ServerAddress}:8443");

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task A_server_published_as_an_srv_record_of_the_lease_domain_onboards_the_box()
    {
        _lab.Enroll(SiteBundle.Bundle());
        await _lab.PowerOnAsync();
        await _lab.Agent!.WaitForLineAsync(l => l.Contains("ZTP: bootstrap-complete", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "bootstrap-complete");
        // Option 143 came first and led nowhere; the SRV record's target did.
        Assert.Contains("[connecting] https://192.0.2.1:9/ at 192.0.2.1 (from DHCP option 143 on ge-0/0/0)", _lab.Agent.Output);
        Assert.Contains("bootstrap-initiated: onboarding information from DNS _sztp._tcp.sim.example → bootstrap.sim.example", _lab.Agent.Output);
        Assert.Contains("bootstrap-complete", _lab.Progress());
    }
}

/// <summary>
/// Discovery through multicast DNS (RFC 8572 §4.2, domain "local"), with python-zeroconf (Debian's python3-zeroconf)
/// publishing the bootstrap server the DNS-SD way in the WAN namespace: the agent follows the PTR at _sztp._tcp.local
/// to the instance's SRV and the target's A record, all by one-shot mDNS queries.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class MulticastDnsDiscoveryTests : IAsyncLifetime
{
    ZeroTouchLab _lab = null!;
    LoggedProcess? _responder;

    public async Task InitializeAsync() => _lab = await ZeroTouchLab.StartAsync(sztpUrls: ["https://192.0.2.1:9"]);

    public async Task DisposeAsync()
    {
        if (_responder is not null) await _responder.DisposeAsync();
        await _lab.DisposeAsync();
    }

    [Fact]
    public async Task A_server_published_by_an_mdns_responder_on_the_wan_link_onboards_the_box()
    {
        File.WriteAllText(_lab.Dir["mdns.py"], $$"""
            import socket, time
            from zeroconf import Zeroconf, ServiceInfo, IPVersion
            zc = Zeroconf(interfaces=["{{ZeroTouchLab.ServerAddress}}"], ip_version=IPVersion.V4Only)
            zc.register_service(ServiceInfo("_sztp._tcp.local.", "vendor bootstrap._sztp._tcp.local.",
                addresses=[socket.inet_aton("{{ZeroTouchLab.ServerAddress}}")], port=8443, server="bootstrap.local."))
            print("registered", flush=True)
            time.sleep(600)
            """);
        _responder = LoggedProcess.Start("ip", ["netns", "exec", _lab.Sim.Wan, "/usr/bin/python3", _lab.Dir["mdns.py"]], _lab.Dir["mdns.log"]);
        await _responder.WaitForLineAsync(l => l.Contains("registered", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "the mDNS registration");
        _lab.Enroll(SiteBundle.Bundle());
        await _lab.PowerOnAsync();
        await _lab.Agent!.WaitForLineAsync(l => l.Contains("ZTP: bootstrap-complete", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "bootstrap-complete");
        Assert.Contains("bootstrap-initiated: onboarding information from mDNS vendor bootstrap._sztp._tcp.local → bootstrap.local", _lab.Agent.Output);
        Assert.Contains("bootstrap-complete", _lab.Progress());
    }
}

/// <summary>
/// Discovery through DNS (RFC 8572 §4.2): the box's own TXT records at SERIAL._sztp.sim.example carry its signed
/// onboarding information, owner certificate and voucher, kilobytes that only a TCP answer holds.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class DnsTxtDiscoveryTests : IAsyncLifetime
{
    ZeroTouchLab _lab = null!;
    string[] _records = [];

    public async Task InitializeAsync() =>
        _lab = await ZeroTouchLab.StartAsync(sztpUrls: ["https://192.0.2.1:9"], dnsRecords: lab => _records = lab.DeviceTxtRecords("from-dns").ToArray());

    public async Task DisposeAsync() => await _lab.DisposeAsync();

    [Fact]
    public async Task Signed_onboarding_information_in_the_devices_txt_records_onboards_the_box()
    {
        await _lab.PowerOnAsync();
        await _lab.Agent!.WaitForLineAsync(l => l.Contains("ZTP: bootstrap-complete", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "bootstrap-complete");
        Assert.Contains("conveyed information found on DNS SIM-0001._sztp.sim.example", _lab.Agent.Output);
        Assert.Contains("bootstrap-initiated: onboarding information from DNS SIM-0001._sztp.sim.example", _lab.Agent.Output);
        // Three records, together far more than a 512-byte UDP answer holds: the agent had to ask again over TCP.
        Assert.Equal(3, _records.Length);
        Assert.True(_records.Sum(r => r.Length - r.LastIndexOf(',') - 1) / 2 > 2048, string.Join('\n', _records));
        await using var api = await _lab.Cped!.ConnectAsync();
        Assert.Equal("from-dns", (await api.GetConfigAsync("active", ["system", "host-name"])).Subtree!.GetValue<string>());
        Assert.Equal(["system", "ztp"], (await api.HistoryAsync()).Select(r => r.Source).Distinct().Order().ToArray());
    }
}

/// <summary>Local sources: removable media (and the serial console's drop folder, the same code) when no server answers.</summary>
[Trait("Kind", "Integration")]
public sealed class LocalMediaTests : IAsyncLifetime
{
    ZeroTouchLab _lab = null!;

    public async Task InitializeAsync() => _lab = await ZeroTouchLab.StartAsync(sztpUrls: ["https://192.0.2.1:9"]);
    public async Task DisposeAsync() => await _lab.DisposeAsync();

    void Stick(string folder, bool signed)
    {
        string sztp = Path.Combine(folder, "sztp");
        Directory.CreateDirectory(sztp);
        _lab.SignSiteConfiguration("from-usb", Path.Combine(sztp, "conveyed-information"));
        if (signed)
        {
            File.Copy(Path.Combine(_lab.Owner, "owner-certificate.cms"), Path.Combine(sztp, "owner-certificate"));
            File.Copy(_lab.Dir["voucher.cms"], Path.Combine(sztp, "ownership-voucher"));
        }
        Command.Run("chmod", ["-R", "a+rX", folder]);
    }

    [Fact]
    public async Task Signed_conveyed_information_on_a_usb_stick_onboards_the_box_and_without_its_voucher_it_is_refused()
    {
        string unsigned = _lab.Dir["console-drop"], usb = _lab.Dir["usb"];
        Stick(unsigned, signed: false);
        Stick(usb, signed: true);
        await _lab.PowerOnAsync("--media", usb, "--console-drop", unsigned);
        await _lab.Agent!.WaitForLineAsync(l => l.Contains("ZTP: bootstrap-complete", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "bootstrap-complete");
        // Media first: it had everything, so the console's artifacts (signed but without owner certificate and voucher) were never needed.
        Assert.Contains($"conveyed information found on removable media {usb}/sztp", _lab.Agent.Output);
        Assert.Contains("bootstrap-initiated: onboarding information from removable media", _lab.Agent.Output);
        // Nothing was reported to any server: there was none in this conversation.
        Assert.Equal("", _lab.Progress());
        await using var api = await _lab.Cped!.ConnectAsync();
        Assert.Equal("from-usb", (await api.GetConfigAsync("active", ["system", "host-name"])).Subtree!.GetValue<string>());
    }

    [Fact]
    public async Task Artifacts_from_the_console_without_owner_certificate_and_voucher_are_refused_and_nothing_is_applied()
    {
        string drop = _lab.Dir["console-drop"];
        Stick(drop, signed: false);
        await _lab.PowerOnAsync("--console-drop", drop);
        await _lab.Agent!.WaitForLineAsync(l => l.Contains("refused: conveyed information: is signed but the owner certificate and voucher are missing", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the refusal");
        await using var api = await _lab.Cped!.ConnectAsync();
        Assert.Equal(["system"], (await api.HistoryAsync()).Select(r => r.Source).Distinct().ToArray());
    }

    [Fact]
    public async Task A_technician_pastes_the_artifacts_on_the_console_and_the_box_onboards_from_them()
    {
        string staging = _lab.Dir["staging"];
        Stick(staging, signed: true);
        await _lab.PowerOnAsync();
        await _lab.Agent!.WaitForLineAsync(l => l.Contains("next round in", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "a failed round");
        // As pasted on the serial console: base64 in PEM armour, each ended by ^D.
        string Paste(string file) => "-----BEGIN CMS-----\n" + Convert.ToBase64String(File.ReadAllBytes(Path.Combine(staging, "sztp", file)), Base64FormattingOptions.InsertLineBreaks)
            + "\n-----END CMS-----\n\u0004\n";
        var loaded = await CliProcess.RunAsync(_lab.Cped!.SocketPath,
            "request zero-touch load conveyed-information terminal; request zero-touch load owner-certificate terminal; request zero-touch load ownership-voucher terminal",
            stdin: Paste("conveyed-information") + Paste("owner-certificate") + Paste("ownership-voucher"));
        Assert.True(loaded.ExitCode == 0, loaded.ToString());
        Assert.Contains("ownership-voucher loaded (", loaded.Output);
        await _lab.Agent.WaitForLineAsync(l => l.Contains("ZTP: bootstrap-complete", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "bootstrap-complete");
        Assert.Contains($"bootstrap-initiated: onboarding information from serial console {_lab.ConsoleDrop}/sztp", _lab.Agent.Output);
        await using var api = await _lab.Cped.ConnectAsync();
        Assert.Equal("from-usb", (await api.GetConfigAsync("active", ["system", "host-name"])).Subtree!.GetValue<string>());
        var refused = await CliProcess.RunAsync(_lab.Cped.SocketPath, "request zero-touch load ownership-voucher terminal", stdin: "not base64!\n\u0004\n");
        Assert.Contains("ownership-voucher: the input is not base64", refused.Error);
    }
}
