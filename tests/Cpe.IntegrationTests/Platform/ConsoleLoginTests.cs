using System.Diagnostics;
using Cpe.Api;
using Cpe.Interop;
using Cpe.TestKit;

namespace Cpe.IntegrationTests.Platform;

/// <summary>"cpe console --device" on a pseudo-terminal pair, exactly as on /dev/ttyS0.</summary>
[Trait("Kind", "Integration")]
public sealed class ConsoleLoginTests : DaemonTest
{
    protected override async Task SetUpAsync()
    {
        var setup = await Cpe(
            "configure; set system host-name site-9; set system login banner \"Authorised use only\"; "
            + "set system login user ann class admin authentication plain-text-password \"s3cret-pass\"; "
            + "set system login user otto class operator authentication plain-text-password \"0perator-pass\"; commit");
        Assert.True(setup.ExitCode == 0, setup.ToString());
    }

    PtyDriver StartConsole(bool once = true)
    {
        var pty = PseudoTerminal.Open();
        var psi = new ProcessStartInfo(Binaries.Cpe, ["--socket", Cped.SocketPath, "console", "--device", pty.SlavePath, "--baud", "115200", .. (once ? ["--once"] : Array.Empty<string>())])
        { UseShellExecute = false, RedirectStandardError = true };
        return PtyDriver.Line(Process.Start(psi)!, pty);
    }

    [Fact]
    public void Login_with_the_right_password_gives_the_users_shell()
    {
        using var line = StartConsole();
        Assert.Contains("Authorised use only", line.WaitFor("site-9 login: "));
        line.Type("ann\r");
        line.WaitFor("Password: ");
        line.Type("s3cret-pass\r");
        line.WaitFor("ann@site-9> ");
        Assert.Matches(@"ann +admin +cpe", line.Run("show system users"));
        Assert.DoesNotContain("s3cret-pass", line.Transcript);
        line.Run("configure", "ann@site-9# ");
        line.Run("set system domain-name example.net", "# ");
        line.Run("commit comment \"from the console\"", "# ");
        line.Run("exit", "ann@site-9> ");
        Assert.Contains("by ann via cli", line.Run("show system commit"));
    }

    [Fact]
    public async Task While_the_console_waits_for_a_login_zero_touch_s_stages_are_shown_above_the_prompt_each_once()
    {
        using var line = StartConsole();
        line.WaitFor("site-9 login: ");
        line.Type("an");   // half a name typed: it must survive the message
        await using var agent = await Cped.ConnectAsync();
        await agent.ReportZtpAsync(new ZtpStatusParams("discovering", "no source gave usable bootstrap data: no TCP connection (1); next round in 1.2 s", "unreachable"));
        Assert.Contains("zero-touch discovering: no source gave usable bootstrap data: no TCP connection (1)", line.WaitFor("site-9 login: an"));
        // The next round finds the same: not told again; a new stage is.
        await agent.ReportZtpAsync(new ZtpStatusParams("discovering", "no source gave usable bootstrap data: no TCP connection (1); next round in 2.5 s", "unreachable"));
        await agent.ReportZtpAsync(new ZtpStatusParams("complete", "bootstrapped from DHCP option 143 on ge-0/0/0"));
        string seen = line.WaitFor("zero-touch complete: bootstrapped from DHCP option 143 on ge-0/0/0");
        Assert.DoesNotContain("next round in 2.5 s", seen);
        line.Type("n\r");
        line.WaitFor("Password: ");
        line.Type("s3cret-pass\r");
        line.WaitFor("ann@site-9> ");
    }

    [Fact]
    public async Task The_console_outlives_a_cped_crash_keeps_the_user_logged_in_and_drops_what_was_typed_meanwhile()
    {
        using var line = StartConsole(once: false);
        line.WaitFor("site-9 login: ");
        line.Type("ann\r");
        line.WaitFor("Password: ");
        line.Type("s3cret-pass\r");
        line.WaitFor("ann@site-9> ");

        await Cped.KillAsync();
        line.Type("show version\r");
        line.WaitFor("The platform (cped) stopped; the last command may not have finished. Waiting for it to start again...");
        line.Type("request system zeroize\r");   // typed into a console nobody reads: must not run later
        await Task.Delay(500);
        await Cped.StartAsync();
        line.WaitFor("The platform is back; ann is still logged in, in operational mode.", TimeSpan.FromSeconds(30));
        line.WaitFor("ann@site-9> ");
        Assert.Matches(@"ann +admin +cpe", line.Run("show system users"));   // the same user's role, no password asked again
        Assert.DoesNotContain("zeroize", line.Transcript[line.Transcript.IndexOf("The platform is back", StringComparison.Ordinal)..]);
        Assert.DoesNotContain("login:", line.Transcript[line.Transcript.IndexOf("The platform is back", StringComparison.Ordinal)..]);

        // At the login prompt the line stays up too: the console waits and asks again once cped is back.
        line.Type("exit\r");
        line.WaitFor("site-9 login: ");
        await Cped.KillAsync();
        line.Type("ann\r");
        line.WaitFor("Password: ");
        line.Type("s3cret-pass\r");
        line.WaitFor("The platform (cped) stopped; the console waits for it to start again.");
        await Cped.StartAsync();
        line.WaitFor("site-9 login: ", TimeSpan.FromSeconds(30));
        Assert.False(line.Process.HasExited);
    }

    [Fact]
    public void Before_cped_is_there_the_console_says_it_waits_for_the_platform_in_plain_words()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"cpe-no-cped-{Guid.NewGuid():N}.sock");
        var pty = PseudoTerminal.Open();
        var psi = new ProcessStartInfo(Binaries.Cpe, ["--socket", missing, "console", "--device", pty.SlavePath, "--baud", "115200", "--once"])
        { UseShellExecute = false, RedirectStandardError = true };
        using var line = PtyDriver.Line(Process.Start(psi)!, pty);
        Assert.Contains($"Waiting for the platform (cped) to start ({missing} is not there yet)...", line.WaitFor("yet)..."));
    }

    [Fact]
    public void The_console_sets_the_line_raw_8N1_at_the_given_speed()
    {
        using var line = StartConsole();
        line.WaitFor("login: ");
        var psi = new ProcessStartInfo("stty", ["-F", line.SlavePath, "-a"]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var stty = Process.Start(psi)!;
        string settings = stty.StandardOutput.ReadToEnd();
        stty.WaitForExit();
        Assert.Contains("speed 115200 baud", settings);
        // Binary output too (-opost): the console link's frames cross the line byte for byte; the console writes \r\n itself.
        foreach (var flag in new[] { "cs8", "-parenb", "-cstopb", "-icanon", "-echo", "-isig", "-crtscts", "-opost" })
            Assert.Matches($@"(^|\s){System.Text.RegularExpressions.Regex.Escape(flag)}(\s|$)", settings);
    }

    [Fact]
    public void A_wrong_password_is_refused_and_the_prompt_comes_back()
    {
        using var line = StartConsole();
        line.WaitFor("login: ");
        line.Type("ann\r");
        line.WaitFor("Password: ");
        line.Type("guess\r");
        line.WaitFor("Login incorrect", TimeSpan.FromSeconds(20));
        line.WaitFor("site-9 login: ");
        line.Type("nobody-here\r");
        line.WaitFor("Password: ");
        line.Type("x\r");
        line.WaitFor("Login incorrect", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void An_operator_may_look_but_not_configure()
    {
        using var line = StartConsole();
        line.WaitFor("login: ");
        line.Type("otto\r");
        line.WaitFor("Password: ");
        line.Type("0perator-pass\r");
        line.WaitFor("otto@site-9> ");
        Assert.Contains("Software: CPE firmware", line.Run("show version"));
        string refused = line.Run("configure");
        Assert.Contains("error: permission denied: user 'otto' (role operator) may not call config.enter", refused);
        // The console runs as root: saving output would write with root's rights, so an operator may not.
        string saved = line.Run($"show version | save {Path.Combine(Cped.StateDirectory, "otto.txt")}");
        Assert.Contains("may not save files on the box; '| save' needs the admin class", saved);
        Assert.False(File.Exists(Path.Combine(Cped.StateDirectory, "otto.txt")));
        // Password hashes are secret data: an operator sees neither its own nor an admin's, in any form.
        foreach (var command in new[] { "show configuration system login", "show configuration system login | display set", "show configuration | display json | no-more" })
        {
            string shown = line.Run(command);
            Assert.Contains("SECRET-DATA", shown);
            Assert.DoesNotContain("$pbkdf2", shown);
        }
    }

    [Fact]
    public async Task An_admin_sees_the_password_hashes()
    {
        var shown = await Cpe("show configuration system login");
        Assert.True(shown.Output.Contains("encrypted-password $pbkdf2-sha512$", StringComparison.Ordinal), shown.ToString());
        Assert.DoesNotContain("SECRET-DATA", shown.Output);
    }
}

/// <summary>A factory-fresh box has no login users: root gets in on the console, as on Junos.</summary>
[Trait("Kind", "Integration")]
public sealed class FactoryConsoleTests : DaemonTest
{
    [Fact]
    public void Root_logs_in_without_a_password_until_users_are_configured()
    {
        var pty = PseudoTerminal.Open();
        var psi = new ProcessStartInfo(Binaries.Cpe, ["--socket", Cped.SocketPath, "console", "--device", pty.SlavePath, "--once"]) { UseShellExecute = false };
        using var line = PtyDriver.Line(Process.Start(psi)!, pty);
        line.WaitFor("cpe login: ");
        line.Type("root\r");
        line.WaitFor("Password: ");
        line.Type("\r");
        Assert.Contains("no login users are configured", line.WaitFor("root@cpe> "));
        line.Type("exit\r");
        line.Process.WaitForExit(10_000);
        Assert.True(line.Process.HasExited);
    }
}
