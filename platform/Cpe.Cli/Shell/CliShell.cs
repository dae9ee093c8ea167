using System.Text.Json.Nodes;
using Cpe.Api;
using Cpe.Cli.Io;
using Cpe.Cli.Output;
using Cpe.Config;

namespace Cpe.Cli.Shell;

/// <summary>
/// The technician's shell: operational and configuration modes, Junos-style. A thin client: every
/// command is one or a few API calls to cped; this class parses, asks and prints.
/// </summary>
public sealed partial class CliShell(ApiClient api, ITerminalIo io)
{
    readonly LineEditor _editor = new(io);
    readonly List<string> _editPath = [];
    bool _configuring;
    bool _leave;
    string _user = "root";
    Identity? _identity;
    string _host = "cpe";
    TimeZoneInfo _zone = TimeZoneInfo.Utc;
    JsonObject _tree = [];   // what "?" and Tab complete against: candidate or active

    /// <summary>Writes a message above the line being typed (a file received on the console, say).</summary>
    public void Interject(string message) => _editor.Interject(message);

    /// <summary>Interactive: prompt, read, run, until exit or end of input.</summary>
    public async Task RunInteractiveAsync(CancellationToken ct)
    {
        _editor.Complete = CompleteLine;
        _editor.Help = ShowHelp;
        _editor.Remember = line => !TypesPassword(line);
        _identity = await api.WhoAmIAsync(ct);
        _user = _identity.User;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watching = Broadcasts.ShowAsync(api, _editor,
            e => Broadcasts.MessageFor(e, _configuring) is string message ? $"Message from {_host} at {Time(e.Time)}:\n{message}" : null, stop.Token);
        try { await ReadCommandsAsync(ct); }
        finally
        {
            stop.Cancel();
            await watching;
        }
    }

    async Task ReadCommandsAsync(CancellationToken ct)
    {
        while (!_leave)
        {
            await RefreshAsync(ct);
            if (_configuring) io.Write(EditBanner() + "\n");
            string prompt = $"{_user}@{_host}{(_configuring ? "#" : ">")} ";
            string? line = _editor.ReadLine(prompt);
            if (line is null) { await LeaveAsync(ct); break; }
            if (line.Trim().Length == 0) continue;
            try { await ExecuteAsync(line, ct); }
            catch (CliException e)
            {
                if (Caret(line, e.Token) is int at) io.Write(new string(' ', prompt.Length + at) + "^\n");
                io.Write("error: " + e.Message + "\n");
            }
            catch (RpcException e) { io.Write("error: " + CliException.From(e).Message + "\n"); }
            catch (ConfigException e) { io.Write("error: " + e.Message + "\n"); }
        }
    }

    /// <summary>
    /// The active configuration for what the CLI adds around a command (time zone, host name), or null for a caller
    /// that may not read it (the phone-home agent's user): the command then runs, or is refused, for its own reasons.
    /// </summary>
    async Task<System.Text.Json.Nodes.JsonObject?> ActiveConfigAsync(CancellationToken ct)
    {
        try { return (await api.GetConfigAsync("active", ct: ct)).Document; }
        catch (RpcException e) when (e.Code == RpcErrorCodes.PermissionDenied) { return null; }
    }

    /// <summary>A line with a password typed after plain-text-password: kept out of the history, so Up never shows it.</summary>
    public static bool TypesPassword(string line)
    {
        if (!line.Contains("plain-text-password", StringComparison.Ordinal)) return false;
        try
        {
            var words = TokenText.Split(TokenText.SplitOutsideQuotes(line, '|')[0]);
            int at = words.IndexOf("plain-text-password");
            return at < 0 || at + 1 < words.Count;   // the word inside a quoted value: kept out too
        }
        catch (Exception e) when (e is CliException or ConfigException) { return true; }   // cannot tell (unbalanced quotes): kept out
    }

    /// <summary>Where <paramref name="token"/> stands in <paramref name="line"/> as a word of its own (for the caret under it), if it does.</summary>
    public static int? Caret(string line, string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        for (int at = line.IndexOf(token, StringComparison.Ordinal); at >= 0; at = line.IndexOf(token, at + 1, StringComparison.Ordinal))
        {
            int end = at + token.Length;
            if ((at == 0 || line[at - 1] == ' ') && (end == line.Length || line[end] is ' ' or '|' or ';')) return at;
        }
        return null;
    }

    /// <summary>Non-interactive: run each command in order; stop at the first error and return its exit code.</summary>
    public async Task<int> RunScriptAsync(IEnumerable<string> commands, CancellationToken ct)
    {
        _identity = await api.WhoAmIAsync(ct);
        _user = _identity.User;
        foreach (var command in commands)
        {
            if (command.Trim().Length == 0) continue;
            if (_leave) break;
            TakeActive(await ActiveConfigAsync(ct));   // a commit in the script may change them
            try { await ExecuteAsync(command, ct); }
            catch (CliException e) { io.WriteError("error: " + e.Message + "\n"); return e.ExitCode; }
            catch (RpcException e) { var c = CliException.From(e); io.WriteError("error: " + c.Message + "\n"); return c.ExitCode; }
            catch (ConfigException e) { io.WriteError("error: " + e.Message + "\n"); return ExitCodes.CommandFailed; }
        }
        if (_configuring) await api.ExitConfigAsync(false, ct);
        return ExitCodes.Ok;
    }

    /// <summary>One command line, with its pipes.</summary>
    public async Task ExecuteAsync(string line, CancellationToken ct)
    {
        var segments = TokenText.SplitOutsideQuotes(line, '|');
        var words = TokenText.Split(segments[0]);
        if (words.Count == 0) return;
        var stages = segments.Skip(1).Select(s => PipeStage.Parse(TokenText.Split(s))).ToList();
        var save = stages.OfType<PipeStage.Save>().SingleOrDefault();
        if (save is not null && stages[^1] != save) throw new CliException("'| save' must be the last pipe");
        bool fitted = ShowsStatus(words, _configuring);   // the mode the command runs in, which it may change
        string output = _configuring ? await ConfigurationAsync(words, stages, ct) : await OperationalAsync(words, stages, ct);
        output = PipeStage.Filter(output, stages);
        if (save is not null)
        {
            io.Write(await SaveOutputAsync(save.Path, output, ct));
            return;
        }
        if (fitted) output = TextWrap.Fit(output, io.Size.Columns);
        Pager.Show(io, output, paging: !stages.OfType<PipeStage.NoMore>().Any());
    }

    /// <summary>
    /// An operational "show" (also through "run"), whose lines are fitted to the terminal's width after the pipes chose
    /// them; not the configuration, whose text is data to copy ("| display set" lines must stay whole).
    /// </summary>
    static bool ShowsStatus(IReadOnlyList<string> words, bool configuring)
    {
        if (configuring)
        {
            if (words.Count < 2 || Keyword.TryResolve(words[0], Grammar.Configuration.Select(c => c.Name)) != "run") return false;
            words = words.Skip(1).ToList();
        }
        if (Keyword.TryResolve(words[0], Grammar.Operational.Select(c => c.Name)) != "show") return false;
        return words.Count < 2 || Keyword.TryResolve(words[1], Grammar.Operational.First(c => c.Name == "show").Children.Select(c => c.Name)) != "configuration";
    }

    /// <summary>What the CLI shows from the active configuration: the host name (prompt, show version) and the time zone.</summary>
    void TakeActive(System.Text.Json.Nodes.JsonObject? active)
    {
        _host = active?["system"]?["host-name"]?.GetValue<string>() ?? "cpe";
        _zone = Zone(active);
    }

    async Task RefreshAsync(CancellationToken ct)
    {
        var active = await api.GetConfigAsync("active", ct: ct);
        TakeActive(active.Document);
        _tree = _configuring ? (await api.GetConfigAsync("candidate", ct: ct)).Document : active.Document;
    }

    string EditBanner() => _editPath.Count == 0 ? "[edit]" : "[edit " + string.Join(' ', _editPath.Select(TokenText.Quote)) + "]";

    async Task LeaveAsync(CancellationToken ct)
    {
        if (_configuring) await api.ExitConfigAsync(false, ct);
        _configuring = false;
        _leave = true;
    }

    /// <summary>
    /// "terminal": what is typed or pasted up to ^D at a new line; anything else: that file's text. Either is
    /// bounded by what one API request can carry, and a file must be UTF-8 (never silently mended).
    /// </summary>
    async Task<string> ReadFileOrTerminalAsync(string source, CancellationToken ct)
    {
        if (source != "terminal")
        {
            CheckFileRights("read files on the box; a file name");
            return await BoundedText.ReadFileAsync(source, MaxDocumentBytes, ct);
        }
        io.Write("[Type ^D at a new line to end input]\n");
        var sb = new System.Text.StringBuilder();
        while (true)
        {
            string? line = io.IsInteractive ? _editor.ReadLine("", remember: false) : io.ReadLine();
            if (io.IsInteractive && _editor.Interrupted) throw new CliException("load aborted by Ctrl-C: nothing was loaded");
            if (line is null || line == "\u0004") break;
            sb.Append(line).Append('\n');
            if (sb.Length > MaxDocumentBytes) throw new CliException($"input is larger than {MaxDocumentBytes} bytes, the most one request to cped can carry");
        }
        return sb.ToString();
    }

    /// <summary>
    /// "| save FILE": the output, as the pipes left it, into FILE (relative to the CLI's folder, as the user the CLI
    /// runs as: the file is theirs), replacing it; then one line saying so. A CLI that runs as root for a user of a
    /// lesser class (the serial console, after that user's login) would write with root's rights: only the admin class
    /// may save there.
    /// </summary>
    async Task<string> SaveOutputAsync(string path, string output, CancellationToken ct)
    {
        CheckFileRights("save files on the box; '| save'");
        try { await File.WriteAllTextAsync(path, output, ct); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException($"could not write '{path}': {e.Message}");
        }
        int lines = output.Length == 0 ? 0 : output.TrimEnd('\n').Split('\n').Length;
        return $"Wrote {lines} line{(lines == 1 ? "" : "s")} of output to '{path}'\n";
    }

    /// <summary>
    /// The CLI touches files with its own rights: a CLI that runs as root for a user of a lesser class (the serial
    /// console, after that user's login) refuses, rather than read or write for them what only root may.
    /// </summary>
    void CheckFileRights(string what)
    {
        if (_identity is { Uid: 0, Role: not "admin" } who)
            throw new CliException($"permission denied: user '{who.User}' (role {who.Role}) may not {what} needs the admin class");
    }

    /// <summary>A loaded document goes to cped in one request, which has the API's size limit.</summary>
    const int MaxDocumentBytes = Cpe.Api.ApiMethods.MaxMessageBytes;

    /// <summary>Asks yes or no on a terminal; scripts get the default.</summary>
    bool Confirm(string question, bool defaultYes)
    {
        if (!io.IsInteractive) return defaultYes;
        string? answer = _editor.ReadLine($"{question} [yes,no] ({(defaultYes ? "yes" : "no")}) ", remember: false);
        if (string.IsNullOrWhiteSpace(answer)) return defaultYes;
        return "yes".StartsWith(answer.Trim(), StringComparison.OrdinalIgnoreCase);
    }
}
