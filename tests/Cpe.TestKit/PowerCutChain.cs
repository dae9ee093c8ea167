using Software = Cpe.TestKit.SoftwareShown.Software;
using System.Text.RegularExpressions;

namespace Cpe.TestKit;

/// <summary>
/// Updates of the QEMU box with the plug pulled at random points of every stage: the download (chunks being written),
/// the check and slot switch (the slot read back, its boot files and entry written), the first boot of the new slot,
/// its health check, and the moment it is marked good. The box goes from 1.0.0 through <paramref name="versions"/> in
/// turn (three or more, so that the slot written never holds the version it receives: 2.0.0, 2.5.0, 2.6.0, 2.0.0, …),
/// installed from the console over HTTP (BASE/cpe-firmware-VERSION.cpeu). Each install is cut while writing, then
/// while checking, then in its trial (first boot, health check or mark-good, whichever has had fewest cuts). After
/// every cut the next boot must reach a good slot with the configuration intact before the next cut; an install cut
/// short must be resumed by the box itself. The disk is one file written through, so what reached it before the cut
/// is what the next boot finds. Where a cut falls is drawn from <paramref name="random"/> (a seed repeats a run).
/// </summary>
public sealed partial class PowerCutChain(string disk, string folder, string baseUrl, string[] versions, Random random, Action<string> say)
{
    public enum Stage { Download, Check, FirstBoot, Health, MarkGood }

    /// <summary>One cut: where it fell and what the next boot found.</summary>
    public sealed record Cut(int Number, Stage Stage, string Point, string Outcome);

    public const string HostName = "cutlab";
    const string Wan = "user,id=wan";
    static readonly TimeSpan Boot = TimeSpan.FromSeconds(180);

    readonly List<Cut> _cuts = [];
    readonly Dictionary<Stage, int> _perStage = Enum.GetValues<Stage>().ToDictionary(s => s, _ => 0);
    (Stage Stage, string Point)? _unreported;
    string? _target;   // the version the current install writes
    ImageMachine? _box;
    // What the lab has measured so far (seconds): reboot to banner, banner to marked good, fully written to installed.
    double _bootToBanner = 20, _bannerToGood = 8, _checkToInstalled = 4;

    public IReadOnlyList<Cut> Cuts => _cuts;
    public string Console => _box?.Console ?? "";


    /// <summary>
    /// Cuts <paramref name="cuts"/> times, then lets the last update finish; returns the box's software then.
    /// <paramref name="firstLogin"/> runs on the console of the first boot, before the chain configures the box.
    /// </summary>
    public async Task<Software> RunAsync(int cuts, Func<ImageMachine, Task>? firstLogin = null)
    {
        _box = await ImageMachine.StartAsync(disk, folder, wan: Wan);
        await BannerAsync();
        await LoginAsync(configured: false);
        if (firstLogin is not null) await firstLogin(_box);
        await _box.RunAsync("configure");
        await _box.RunAsync($"set system host-name {HostName}");
        Expect(await _box.RunAsync("commit"), "commit complete");
        await _box.RunAsync("exit");
        var installCuts = new HashSet<Stage>();
        while (true)
        {
            var sw = await GoodAsync();
            if (_cuts.Count >= cuts && sw.Install is null or "installed" && sw.OtherTrying is null) return sw;
            bool mayCut = _cuts.Count < cuts;
            if (sw.OtherTrying is null)
            {
                bool resumed = sw.Install is not null and not "installed";
                if (!resumed)
                {
                    installCuts.Clear();
                    string target = versions[(Array.IndexOf(versions, sw.Running) + 1) % versions.Length];
                    _target = target;
                    await _box.TypeAsync($"request system software add {baseUrl}/cpe-firmware-{target}.cpeu");
                    Expect(await _box.WaitForAsync(@"installing cpe-firmware \S+ into slot [ab]|refused.*|[Ee]rror.*", TimeSpan.FromSeconds(120)), "installing");
                }
                // Each install: a cut while writing or while checking, the one with fewer cuts so far first, then the other
                // on the resumed install. The check (last chunk to installed: boot files, entry) takes seconds, but a
                // resumed install can finish it before the console is back, so fresh installs take their turn at it.
                Stage? plan = !mayCut ? null : new[] { Stage.Download, Stage.Check }.Where(s => !installCuts.Contains(s))
                    .OrderBy(s => _perStage[s]).Select(s => (Stage?)s).FirstOrDefault();
                if (plan is { } planned) installCuts.Add(planned);
                await InstallAsync(following: !resumed, plan);
                continue;   // the status again: a cut's outcome, or the installed slot waiting for its first boot
            }
            await _box.TypeAsync("request system reboot");
            await _box.WaitForAsync(@"\? \[yes,no\]", TimeSpan.FromSeconds(30));
            await _box.TypeAsync("yes");
            var rebooted = _box.Clock.Elapsed;
            Stage? trial = mayCut ? Least(Stage.FirstBoot, Stage.Health, Stage.MarkGood) : null;
            if (trial is Stage.FirstBoot)
            {
                double at = random.NextDouble() * _bootToBanner;
                await Task.Delay(TimeSpan.FromSeconds(at));
                await CutAsync(Stage.FirstBoot, $"{at:0.0} s after 'request system reboot' (banner after {_bootToBanner:0.0} s)");
                continue;
            }
            var (version, slot) = await BannerAsync();
            _bootToBanner = (_box.Clock.Elapsed - rebooted).TotalSeconds;
            if (trial is Stage.Health or Stage.MarkGood)
            {
                // Health: anywhere before it was marked good last time; mark-good: within a second of that moment.
                double at = trial is Stage.Health ? random.NextDouble() * _bannerToGood * 0.9 : Math.Max(0, _bannerToGood + random.NextDouble() * 2 - 1);
                await Task.Delay(TimeSpan.FromSeconds(at));
                bool good = _box.ShownAt("passed its health check") is { } g && g > _box.ShownAt(Banner)!.Value;
                await CutAsync(trial.Value, $"{at:0.0} s after {version} on slot {slot} started (marked good after {_bannerToGood:0.0} s last time; {(good ? "marked good" : "not yet marked good")} at the cut)");
                continue;
            }
            await LoginAsync(configured: true);
        }
    }

    /// <summary>The stage with the fewest cuts so far among <paramref name="stages"/> (ties drawn at random).</summary>
    Stage Least(params Stage[] stages)
    {
        int fewest = stages.Min(s => _perStage[s]);
        var tied = stages.Where(s => _perStage[s] == fewest).ToArray();
        return tied[random.Next(tied.Length)];
    }

    /// <summary>
    /// Follows an install (the CLI's progress when it was just started there, else the status) and cuts where
    /// <paramref name="plan"/> says: at a random share of the chunks written, or a random time after the last chunk
    /// (the read-back, boot files and entry). It ends at the cut, or when the install finished first.
    /// </summary>
    async Task InstallAsync(bool following, Stage? plan)
    {
        var box = _box!;
        double share = random.NextDouble() * 0.95, wait = random.NextDouble() * _checkToInstalled;
        TimeSpan? written = null;
        while (true)
        {
            TimeSpan? cutAt = plan is Stage.Check && written is { } w0 ? w0 + TimeSpan.FromSeconds(wait) : null;
            var (state, done, chunks, finished) = following ? await ProgressLineAsync(cutAt) : await ProgressPollAsync();
            if (finished)
            {
                if (written is { } w) _checkToInstalled = (box.Clock.Elapsed - w).TotalSeconds;
                if (following) await box.WaitForAsync(@"[>#] $", TimeSpan.FromSeconds(30));
                return;
            }
            if (chunks > 0 && done == chunks) written ??= box.Clock.Elapsed;
            if (plan is Stage.Download && chunks > 0 && done < chunks && done >= share * chunks)
            {
                double extra = random.NextDouble() * 0.5;
                await Task.Delay(TimeSpan.FromSeconds(extra));
                await CutAsync(Stage.Download, $"{state}, {done} of {chunks} chunks written (+{extra:0.0} s)");
                return;
            }
            if (plan is Stage.Check && written is { } at && box.Clock.Elapsed - at >= TimeSpan.FromSeconds(wait))
            {
                await CutAsync(Stage.Check, $"{wait:0.0} s after the last chunk was written, state {state} (installed after {_checkToInstalled:0.0} s last time)");
                return;
            }
        }
    }

    /// <summary>The CLI's next progress line ("writing: 40% (16 of 40 chunks)") or its end; at <paramref name="cutAt"/>, a planned cut's time, "checking".</summary>
    async Task<(string State, int Done, int Chunks, bool Finished)> ProgressLineAsync(TimeSpan? cutAt)
    {
        var box = _box!;
        var timeout = cutAt is { } at ? TimeSpan.FromSeconds(Math.Max(0.05, (at - box.Clock.Elapsed).TotalSeconds)) : TimeSpan.FromSeconds(300);
        string text;
        try { text = await box.WaitForAsync($@"{ProgressLine()}|Installed \S+ in slot|Install failed: .*", timeout); }
        catch (TimeoutException) when (cutAt is not null) { return ("checking", 1, 1, false); }
        Assert(!text.Contains("Install failed", StringComparison.Ordinal), $"the install failed: {text}");
        if (text.Contains("Installed ", StringComparison.Ordinal)) return ("installed", 0, 0, true);
        var m = ProgressLine().Match(text);
        return (m.Groups[1].Value, int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value), false);
    }

    async Task<(string State, int Done, int Chunks, bool Finished)> ProgressPollAsync()
    {
        var sw = Parse(await _box!.RunAsync("show system software"));
        Assert(sw.Install != "failed", $"the install failed:\n{sw.Text}");
        return (sw.Install ?? "installed", sw.Done, sw.Chunks, sw.Install is null or "installed");
    }

    async Task CutAsync(Stage stage, string point)
    {
        await _box!.DisposeAsync();
        _perStage[stage]++;
        _unreported = (stage, point);
        say($"cut {_cuts.Count + 1}: {stage}: {point}");
        _box = await ImageMachine.StartAsync(disk, folder, wan: Wan);
        await BannerAsync();
        await LoginAsync(configured: true);
    }

    const string Banner = @"cpe: CPE firmware (\S+) on slot ([ab])";

    async Task<(string Version, char Slot)> BannerAsync()
    {
        var m = Regex.Match(await _box!.WaitForAsync(Banner, Boot), Banner);
        return (m.Groups[1].Value, m.Groups[2].Value[0]);
    }

    /// <summary>Logs in on the console; the prompt carries the host name, so it shows the configuration survived.</summary>
    async Task LoginAsync(bool configured)
    {
        await _box!.LoginAsync("root", "x", Boot);
        string session = _box.Console[_box.Console.LastIndexOf("login:", StringComparison.Ordinal)..];
        if (configured) Assert(session.Contains($"root@{HostName}>", StringComparison.Ordinal), $"the prompt lost the host name:\n{session}");
    }

    /// <summary>Waits until the running slot is good (a slot on trial passes its health check) and reports the last cut's outcome.</summary>
    async Task<Software> GoodAsync()
    {
        var box = _box!;
        var sw = Parse(await box.RunUntilAsync("show system software", "(good)", Boot));
        Assert(sw.Text.Contains("(good)", StringComparison.Ordinal), $"the running slot never became good:\n{sw.Text}");
        Assert(!sw.Text.Contains("Last fallback", StringComparison.Ordinal), $"a slot fell back, which no cut here should cause (each trial is cut once at most):\n{sw.Text}");
        if (box.ShownAt("passed its health check") is { } good && box.ShownAt(Banner) is { } banner && good > banner)
            _bannerToGood = (good - banner).TotalSeconds;
        if (_unreported is { } cut)
        {
            // The console shows the install's progress late (the CLI polls every 0.5 s and prints each 10 %), so a cut
            // planned for the last chunks can land after the install finished. Where a cut fell is what the box had
            // done: the new version running without an install left means it came after the check, and the stages
            // keep their balance by that.
            if (cut.Stage is Stage.Download && sw.Install is null && sw.Running == _target)
            {
                _perStage[Stage.Download]--;
                _perStage[Stage.Check]++;
                cut = (Stage.Check, $"{cut.Point}: the install had finished at the cut (the progress shown lags)");
            }
            string outcome = $"{sw.Running} on slot {sw.Slot} good" +
                (sw.Install is { } i ? $"; install {i}, {sw.Done} of {sw.Chunks} chunks" : "") +
                (sw.OtherTrying is { } t ? $"; {t} waits for its first boot" : "");
            _cuts.Add(new Cut(_cuts.Count + 1, cut.Stage, cut.Point, outcome));
            say($"  → {outcome}");
            _unreported = null;
        }
        return sw;
    }

    static Software Parse(string text) => SoftwareShown.Parse(text);

    static void Expect(string text, string wanted) => Assert(text.Contains(wanted, StringComparison.Ordinal), $"expected '{wanted}' in:\n{text}");

    static void Assert(bool condition, string message)
    {
        if (!condition) throw new InvalidOperationException(message);
    }

    /// <summary>Runs one CLI command on the console (logged in, a good slot running) and returns its output.</summary>
    public Task<string> RunCommandAsync(string command) => _box!.RunAsync(command);

    public async Task StopAsync()
    {
        if (_box is not null) await _box.DisposeAsync();
    }

    [GeneratedRegex(@"(\S+): \d+% \((\d+) of (\d+) chunks\)")]
    private static partial Regex ProgressLine();
}
