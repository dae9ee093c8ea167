using Cpe.TestKit;
using Xunit.Abstractions;

namespace Cpe.IntegrationTests.Platform;

/// <summary>
/// The console cable as a transport (docs/guides/cli.md, "Files over the console cable"): "cpe connect" on the laptop
/// links with the box's "cpe console", "cpe send" pushes files through the same serial line while the technician's
/// session goes on; a pulled cable or a restarted laptop program resumes from what the box holds; what arrives is
/// checked as a download is when it is installed.
/// </summary>
[Trait("Kind", "Integration")]
public sealed class ConsoleCableTests(ITestOutputHelper output) : IAsyncLifetime
{
    readonly ChainLab _lab = new();
    readonly TempFolder _dir = new("cpe-cable-");
    ConsoleCable? _cable;

    string Incoming => _dir["incoming"];

    public async Task InitializeAsync()
    {
        try { await _lab.StartCpedAsync(); }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (_cable is not null) output.WriteLine($"the laptop's screen:\n{_cable.Screen.Transcript}\nthe box console's errors:\n{_cable.ConsoleErrors}");
        _cable?.Dispose();
        await _lab.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>The laptop on the cable, at about 1 Mbaud unless said; returns once the two ends are linked.</summary>
    ConsoleCable Plug(int bytesPerSecond = 100_000)
    {
        _cable = new ConsoleCable(_lab.Cped.SocketPath, Incoming, _dir.Path, bytesPerSecond);
        _cable.Screen.WaitFor("linked with the box's console", TimeSpan.FromSeconds(15));
        return _cable;
    }

    string LaptopFile(string name, int bytes)
    {
        var data = new byte[bytes];
        new Random(bytes).NextBytes(data);
        string path = _dir[name];
        File.WriteAllBytes(path, data);
        return path;
    }

    long Held(string name) => File.Exists(Path.Combine(Incoming, name + ".part")) ? new FileInfo(Path.Combine(Incoming, name + ".part")).Length : 0;

    async Task UntilHeldAsync(string name, long bytes)
    {
        for (int i = 0; i < 600 && Held(name) < bytes; i++) await Task.Delay(50);
        Assert.True(Held(name) >= bytes, $"the box holds {Held(name)} bytes of {name}, not {bytes}");
    }

    [Fact]
    public async Task A_file_pushed_over_the_cable_goes_on_after_a_pull_and_a_laptop_restart_while_the_session_stays_usable()
    {
        var cable = Plug();
        cable.Laptop.LogIn("root", "");
        string file = LaptopFile("site-data.bin", 600 * 1024);

        var first = cable.SendAsync(file, output.WriteLine);
        await UntilHeldAsync("site-data.bin", 100 * 1024);
        cable.Pull();
        await Task.Delay(LinkWait);   // longer than the link's 3 s without a frame: both ends take it for lost
        cable.Plug();
        long afterPull = Held("site-data.bin");
        cable.Screen.WaitFor("linked with the box's console", TimeSpan.FromSeconds(15));

        // The session goes on while the file flows: a command typed now is answered between the file's frames.
        cable.Screen.Type("show system uptime\r");
        Assert.Contains("System booted", cable.Screen.WaitFor("root@cpe> ", TimeSpan.FromSeconds(20)));
        await UntilHeldAsync("site-data.bin", afterPull + 100 * 1024);

        // The laptop's program ends in the middle; started again, the same file resumes where the box is.
        cable.RestartLaptop();
        var stopped = await first;
        output.WriteLine(stopped.Output);
        Assert.NotEqual(0, stopped.ExitCode);
        Assert.Contains("waiting for the link to the box's console", stopped.Output);
        Assert.Contains("send it again to resume", stopped.Output);
        long beforeResume = Held("site-data.bin");
        cable.Screen.WaitFor("linked with the box's console", TimeSpan.FromSeconds(15));

        var second = await cable.SendAsync(file, output.WriteLine);
        Assert.True(second.ExitCode == 0, second.Output);
        var resumed = System.Text.RegularExpressions.Regex.Match(second.Output, @"resuming at (\d+) bytes, which the box already holds");
        Assert.True(resumed.Success, second.Output);
        Assert.True(long.Parse(resumed.Groups[1].Value) >= beforeResume, $"resumed at {resumed.Groups[1].Value}, the box held {beforeResume}");
        Assert.Contains($"the box saved it as {Path.Combine(Incoming, "site-data.bin")}", second.Output);
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(Incoming, "site-data.bin")));
        Assert.Equal(["site-data.bin"], Directory.GetFiles(Incoming).Select(Path.GetFileName));
        cable.Screen.WaitFor("Received site-data.bin (614400 bytes, SHA-256 as sent)", TimeSpan.FromSeconds(10));
        cable.Screen.WaitFor("root@cpe> ");   // the prompt again under the notice
        Assert.Contains("System booted", cable.Screen.Run("show system uptime", "root@cpe> "));

        // What was pushed is looked at and removed from the CLI, as on Junos; a bare name is in the incoming folder.
        Assert.Matches(@"614400  \S+ \S+ UTC  site-data\.bin", cable.Screen.Run("file list", "root@cpe> "));
        Assert.Contains($"Deleted '{Path.Combine(Incoming, "site-data.bin")}' (614400 bytes)", cable.Screen.Run("file delete site-data.bin", "root@cpe> "));
        Assert.Contains("total files: 0", cable.Screen.Run("file list", "root@cpe> "));
    }

    static readonly TimeSpan LinkWait = TimeSpan.FromSeconds(4.5);

    [Fact]
    public async Task A_VNF_package_pushed_over_the_cable_is_checked_as_a_download_is_before_it_goes_in()
    {
        var cable = Plug(bytesPerSecond: 1_000_000);
        cable.Laptop.LogIn("root", "");
        string package = BusyboxPackage.Build(_dir.Path, "probe", "sleep 1000");
        BusyboxPackage.Sign(package);
        byte[] bytes = File.ReadAllBytes(package);
        bytes[bytes.Length / 3] ^= 0x01;   // inside the layer blob
        string tampered = _dir["tampered.tar"];
        File.WriteAllBytes(tampered, bytes);

        // Tampered after signing: it crosses the cable whole (its SHA-256 is the laptop's), and is refused when added,
        // with the words a refused download gets.
        var sent = await cable.SendAsync(tampered);
        Assert.True(sent.ExitCode == 0, sent.Output);
        string onBox = Path.Combine(Incoming, "tampered.tar");
        cable.Screen.WaitFor($"Add it with 'request vnf package add {onBox}'", TimeSpan.FromSeconds(10));
        cable.Screen.WaitFor("root@cpe> ");
        string refused = cable.Screen.Run($"request vnf package add {onBox}", "root@cpe> ");
        var direct = await _lab.Cli($"request vnf package add {tampered}");
        Assert.NotEqual(0, direct.ExitCode);
        string reason = (direct.Output + direct.Error).Trim().Replace(tampered, onBox);
        Assert.Contains(reason.Split('\n')[0].Replace("error: ", ""), refused);

        sent = await cable.SendAsync(package);
        Assert.True(sent.ExitCode == 0, sent.Output);
        cable.Screen.WaitFor("Add it with", TimeSpan.FromSeconds(10));
        cable.Screen.WaitFor("root@cpe> ");
        string added = cable.Screen.Run($"request vnf package add {Path.Combine(Incoming, Path.GetFileName(package))}", "root@cpe> ");
        Assert.Contains("probe:1.0.0 added", added);
    }

    [Fact]
    public async Task Files_are_taken_only_while_an_admin_class_user_is_logged_in_on_the_console()
    {
        var setup = await _lab.Cli("configure; set system login user ann class admin authentication plain-text-password \"s3cret-pass\"; "
            + "set system login user otto class operator authentication plain-text-password \"0perator-pass\"; commit");
        Assert.True(setup.ExitCode == 0, setup.ToString());
        var cable = Plug();
        string file = LaptopFile("notes.txt", 3000);

        var nobody = await cable.SendAsync(file);
        Assert.NotEqual(0, nobody.ExitCode);
        Assert.Contains("the box refused it: files are accepted while an admin-class user is logged in on the console: nobody is logged in", nobody.Output);

        cable.Laptop.LogIn("otto", "0perator-pass");
        var operatorSent = await cable.SendAsync(file);
        Assert.Contains("otto has the operator class", operatorSent.Output);
        cable.Screen.WaitFor("otto has the operator class");   // told above the prompt too, which comes again under it
        cable.Screen.WaitFor("otto@cpe> ");
        Assert.Contains("may not list files on the box; 'file list' needs the admin class", cable.Screen.Run("file list", "otto@cpe> "));
        Assert.False(Directory.Exists(Incoming) && Directory.EnumerateFileSystemEntries(Incoming).Any(), "nothing may be written for a refused push");
        cable.Screen.Run("exit", "login: ");

        cable.Laptop.LogIn("ann", "s3cret-pass");
        var sent = await cable.SendAsync(file);
        Assert.True(sent.ExitCode == 0, sent.Output);
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(Incoming, "notes.txt")));

        // A name that is a path, or hidden, is refused before anything is written.
        string hidden = LaptopFile(".profile", 10);
        var refused = await cable.SendAsync(hidden);
        Assert.Contains("would be hidden", refused.Output);
        Assert.False(File.Exists(Path.Combine(Incoming, ".profile")));
    }
}
