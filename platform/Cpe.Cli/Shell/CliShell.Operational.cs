using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Cpe.Api;
using Cpe.Cli.Output;
using Cpe.Config;

namespace Cpe.Cli.Shell;

// Operational mode: show commands and entering configuration mode.
public sealed partial class CliShell
{
    async Task<string> OperationalAsync(List<string> words, List<PipeStage> stages, CancellationToken ct)
    {
        Grammar.CheckWords(words, Grammar.Operational, "in operational mode");
        string verb = Keyword.Resolve(words[0], Grammar.Operational.Select(c => c.Name), "in operational mode");
        switch (verb)
        {
            case "exit" or "quit":
                await LeaveAsync(ct);
                return "";
            case "configure":
                bool exclusive = words.Count > 1 && Keyword.Resolve(words[1], ["exclusive"], "after 'configure'") == "exclusive";
                if (words.Count > (exclusive ? 2 : 1)) throw new CliException($"syntax error: unexpected '{words[^1]}'");
                var entered = await api.EnterConfigAsync(exclusive, ct);
                _configuring = true;
                _editPath.Clear();
                var sb = new StringBuilder();
                foreach (var w in entered.Warnings) sb.Append(w).Append('\n');
                sb.Append(exclusive ? "Entering configuration mode (exclusive): uncommitted changes will be discarded on exit\n" : "Entering configuration mode\n");
                return sb.ToString();
            case "clear":
                return await ClearAsync(words.Skip(1).ToList(), ct);
            case "file":
                return FileCommand(words.Skip(1).ToList());
            case "ping":
                return await PingAsync(words.Skip(1).ToList(), ct);
            case "traceroute":
                return await TracerouteAsync(words.Skip(1).ToList(), ct);
            case "monitor":
                if (words.Count != 2) throw new CliException("syntax error: 'monitor' needs: log");
                return await MonitorLogAsync(ct);
            case "request":
                string request = words.Count > 1 ? Keyword.Resolve(words[1], ["system", "vnf", "zero-touch"], "after 'request'") : "zero-touch";
                if (request == "system") return await RequestSystemAsync(words.Skip(2).ToList(), ct);
                if (request == "vnf") return await RequestVnfAsync(words.Skip(2).ToList(), ct);
                return await RequestZeroTouchAsync(words.Skip(1).ToList(), ct);
            default:
                return await ShowAsync(words.Skip(1).ToList(), stages, ct);
        }
    }

    /// <summary>"request zero-touch load NAME FILE|terminal": a file for the agent's serial-console source.</summary>
    async Task<string> RequestZeroTouchAsync(List<string> words, CancellationToken ct)
    {
        const string Syntax = "syntax error: 'request zero-touch load NAME FILE|terminal'";
        if (words.Count != 4) throw new CliException(Syntax);
        Keyword.Resolve(words[0], ["zero-touch"], "after 'request'");
        Keyword.Resolve(words[1], ["load"], "after 'request zero-touch'");
        var load = Grammar.Operational.First(c => c.Name == "request").Children.First(c => c.Name == "zero-touch").Children[0];
        string name = Keyword.Resolve(words[2], load.Children.Select(c => c.Name), "after 'request zero-touch load'");
        string text = await ReadFileOrTerminalAsync(words[3], ct);
        byte[] content;
        if (name == "bootstrap-servers") content = Encoding.UTF8.GetBytes(text);
        else
        {
            // Base64, as a technician pastes it; PEM armour lines ("-----BEGIN CMS-----") are skipped.
            string base64 = string.Concat(text.Split('\n').Select(l => l.Trim()).Where(l => !l.StartsWith("-----", StringComparison.Ordinal)));
            try { content = Convert.FromBase64String(base64); }
            catch (FormatException) { throw new CliException($"{name}: the input is not base64"); }
        }
        var result = await api.LoadZtpFileAsync(name, content, ct);
        return result.Message + "\n";
    }

    /// <summary>As Junos starts it: the host name, then the model and its serial number, then the software.</summary>
    async Task<string> ShowVersionAsync(CancellationToken ct)
    {
        var v = await api.VersionAsync(ct);
        string? serial = null;
        try { serial = (await api.HardwareAsync(ct)).SerialNumber; }
        catch (RpcException) { }   // no board profile (a developer machine): no serial number to show
        return $"Hostname: {_host}\nModel: {v.Model}\n{(serial is null ? "" : $"Serial number: {serial}\n")}" +
            $"Software: {v.Product} {v.Version}\nConfiguration schema: {v.SchemaVersion}\nRuntime: {v.Runtime}\n";
    }

    async Task<string> ShowAsync(List<string> words, List<PipeStage> stages, CancellationToken ct)
    {
        var show = Grammar.Operational.First(c => c.Name == "show");
        if (words.Count == 0) throw new CliException("syntax error: 'show' needs what to show; type 'show ?'");
        string what = Keyword.Resolve(words[0], show.Children.Select(c => c.Name), "after 'show'");
        switch (what)
        {
            case "version":
                return await ShowVersionAsync(ct);
            case "configuration":
                return await ShowConfigurationAsync("active", words.Skip(1).ToList(), stages, ct);
            case "chassis":
                return await ShowChassisAsync(words.Skip(1).ToList(), ct);
            case "interfaces" or "bridge" or "sriov" or "route" or "dhcp" or "arp" or "ipv6" or "lldp":
                return await ShowNetworkAsync(what, words.Skip(1).ToList(), ct);
            case "vnf":
                return await ShowVnfAsync(words.Skip(1).ToList(), ct);
            case "chain":
                return await ShowChainAsync(words.Skip(1).ToList(), ct);
            case "log" when words.Count > 1 && Keyword.TryResolve(words[1], ["messages"]) is not null:
                return await ShowMessagesAsync(words.Skip(2).ToList(), ct);
            case "log":
                int count = words.Count > 1 ? Keyword.Number(words[1], "show log") : 50;
                var events = await api.LogAsync(count, ct);
                return string.Concat(events.Select(e => $"{Time(e.Time)} {e.Type}: {e.Text}\n"));
            default:
                if (words.Count < 2) throw new CliException("syntax error: 'show system' needs one of: alarms, commit, software, uptime, users, zero-touch");
                var system = show.Children.First(c => c.Name == "system");
                string item = Keyword.Resolve(words[1], system.Children.Select(c => c.Name), "after 'show system'");
                return item switch
                {
                    "alarms" => FormatAlarms(await api.AlarmsAsync(ct)),
                    "commit" => FormatCommits(await api.HistoryAsync(ct)),
                    "software" => FormatSoftware(await api.SoftwareStatusAsync(ct), Time),
                    "uptime" => FormatUptime(await api.UptimeAsync(ct), (await api.UsersAsync(ct)).Length),
                    "zero-touch" => FormatZeroTouch(await api.ZtpStatusAsync(ct), await api.LogAsync(ZeroTouchEventWindow, ct)),
                    _ => FormatUsers(await api.UsersAsync(ct)),
                };
        }
    }

    /// <summary>"show configuration [path]" (active) and configuration mode's "show [path]" (candidate).</summary>
    async Task<string> ShowConfigurationAsync(string source, List<string> pathWords, List<PipeStage> stages, CancellationToken ct)
    {
        var tokens = (source == "candidate" ? _editPath.Concat(pathWords) : pathWords).ToArray();
        var path = ConfigPath.Parse(tokens, allowValue: false);
        var result = await api.GetConfigAsync(source, tokens, ct: ct);
        if (stages.OfType<PipeStage.DisplayJson>().Any())
            return (path.IsRoot ? ConfigDocument.Serialize(result.Document, indented: true)
                : result.Subtree?.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) ?? "{}") + "\n";
        if (!result.Exists) return "";
        if (stages.OfType<PipeStage.DisplaySet>().Any())
            return string.Concat(ConfigText.SetCommands(result.Subtree, path).Select(l => l + "\n"));
        return ConfigText.Hierarchy(result.Subtree, path.Target);
    }

    /// <summary>How far back "show system zero-touch" looks for the agent's steps.</summary>
    const int ZeroTouchEventWindow = 500;

    string FormatZeroTouch(ZtpStatus status, EventInfo[] events)
    {
        var sb = new StringBuilder($"Zero-touch state: {status.State} (since {Time(status.Since)})\n{status.Message}\n");
        if (status.FailingSince is DateTimeOffset failing) sb.Append($"Nothing usable found since {Time(failing)}\n");
        if (status.Attempts.Length > 0)
        {
            // Each try on two lines, so that a long URL and its cause both fit a serial console's 80 columns.
            sb.Append($"Last round ({Time(status.Attempts[0].Time)}):\n");
            foreach (var a in status.Attempts)
            {
                sb.Append("  ").Append(a.Source).Append(a.Target.Length > 0 ? ": " + a.Target : "").Append('\n');
                sb.Append("    ").Append(ZtpCauses.Describe(a.Cause)).Append(": ").Append(a.Detail).Append('\n');
            }
        }
        if (status.NextRound is DateTimeOffset next)
            sb.Append($"Next round: {Time(next)} (now: 'request system zero-touch retry')\n");
        var steps = events.Where(e => e.Type is "ztp" or "ztp-script").TakeLast(20).ToList();
        if (steps.Count > 0) sb.Append("Recent steps:\n");
        foreach (var e in steps) sb.Append($"  {Time(e.Time)} {e.Text}\n");
        return sb.ToString();
    }

    string FormatAlarms(AlarmInfo[] alarms)
    {
        if (alarms.Length == 0) return "No alarms currently active\n";
        var sb = new StringBuilder($"{alarms.Length} alarm{(alarms.Length == 1 ? "" : "s")} currently active\n");
        sb.Append("Alarm time               Class     Type                 Description\n");
        foreach (var a in alarms)
            sb.Append($"{Time(a.RaisedAt),-24} {Capital(a.Severity),-9} {a.Type,-20} {a.Text}\n");
        return sb.ToString();
    }

    string FormatCommits(RevisionInfo[] revisions)
    {
        var sb = new StringBuilder();
        foreach (var r in revisions)
        {
            // The rollback index (what 'rollback N' takes) first, the revision number (the log's, the vendor server's) after.
            sb.Append($"{r.Number,-3} {Time(r.Time)} by {r.Author} via {r.Source} (revision {r.Id})\n");
            if (r.ConfirmBy is DateTimeOffset by) sb.Append($"    commit confirmed, rollback at {Time(by)}\n");
            if (!string.IsNullOrEmpty(r.Comment)) sb.Append("    ").Append(r.Comment).Append('\n');
        }
        return sb.ToString();
    }

    string FormatUptime(UptimeInfo u, int users)
    {
        var sb = new StringBuilder();
        sb.Append($"Current time: {Time(u.Now)}\n");
        sb.Append($"System booted: {Time(u.BootedAt)} ({Span(u.Now - u.BootedAt)} ago)\n");
        sb.Append($"Platform started: {Time(u.DaemonStartedAt)} ({Span(u.Now - u.DaemonStartedAt)} ago)\n");
        if (u.LastCommitAt is DateTimeOffset last) sb.Append($"Last configured: {Time(last)} ({Span(u.Now - last)} ago) by {u.LastCommitBy}\n");
        sb.Append(string.Create(CultureInfo.InvariantCulture,
            $"{u.Now.UtcDateTime:HH:mm}  up {Span(u.Now - u.BootedAt)}, {users} user{(users == 1 ? "" : "s")}, load averages: {u.LoadAverage[0]:0.00}, {u.LoadAverage[1]:0.00}, {u.LoadAverage[2]:0.00}\n"));
        return sb.ToString();
    }

    static string FormatUsers(SessionInfo[] sessions)
    {
        var sb = new StringBuilder("Session User         Role       Client   Pid     Idle     Mode\n");
        foreach (var s in sessions)
            sb.Append(string.Create(CultureInfo.InvariantCulture,
                $"{s.Id,-7} {s.User,-12} {s.Role,-10} {s.Client,-8} {s.Pid,-7} {Span(TimeSpan.FromSeconds(s.IdleSeconds)),-8} {s.Mode}\n"));
        return sb.ToString();
    }

    /// <summary>
    /// A time in the configured `system time-zone` (UTC when none is set, or this box has no such zone), with its
    /// offset: "2026-12-06 22:30:00 +01", or "2026-12-06 21:30:00 UTC".
    /// </summary>
    string Time(DateTimeOffset t)
    {
        if (_zone.Equals(TimeZoneInfo.Utc)) return t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
        var local = TimeZoneInfo.ConvertTime(t, _zone);
        var offset = local.Offset;
        string sign = offset < TimeSpan.Zero ? "-" : "+";
        offset = offset.Duration();
        string zone = offset.Minutes == 0 ? $"{sign}{offset.Hours:00}" : $"{sign}{offset.Hours:00}{offset.Minutes:00}";
        return local.ToString("yyyy-MM-dd HH:mm:ss ", CultureInfo.InvariantCulture) + zone;
    }

    /// <summary>The configured time zone: UTC when none is set, or when this box does not know it (its times then say UTC).</summary>
    static TimeZoneInfo Zone(System.Text.Json.Nodes.JsonNode? config)
    {
        string? name = config?["system"]?["time-zone"]?.GetValue<string>();
        if (name is null or "UTC") return TimeZoneInfo.Utc;
        try { return TimeZoneInfo.FindSystemTimeZoneById(name); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException) { return TimeZoneInfo.Utc; }
    }

    static string Span(TimeSpan s) => s.TotalDays >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)s.TotalDays}d {s:hh\\:mm}")
        : s.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);

    static string Capital(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

}
