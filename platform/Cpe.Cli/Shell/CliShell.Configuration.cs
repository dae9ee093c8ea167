using System.Text;
using System.Text.Json.Nodes;
using Cpe.Api;
using Cpe.Cli.Output;
using Cpe.Config;
using Cpe.Config.Schema;

namespace Cpe.Cli.Shell;

// Configuration mode: set, delete, annotate, edit, up, top, show, commit, rollback, load, run, exit.
public sealed partial class CliShell
{
    async Task<string> ConfigurationAsync(List<string> words, List<PipeStage> stages, CancellationToken ct)
    {
        string verb = Keyword.Resolve(words[0], Grammar.Configuration.Select(c => c.Name), "in configuration mode");
        var rest = words.Skip(1).ToList();
        switch (verb)
        {
            case "set":
                if (rest.Count == 0) throw new CliException("syntax error: 'set' needs a path; type 'set ?'");
                await api.SetAsync(await WithPasswordHashAsync(Absolute(rest)), ct);
                return "";
            case "delete":
                var deleted = await api.DeleteAsync(Absolute(rest), ct);
                return deleted.Ok ? "" : deleted.Message + "\n";
            case "annotate":
                // The statement, then the comment as one (quoted) word, as Junos has it; "" removes the comment.
                if (rest.Count < 2) throw new CliException("syntax error: 'annotate STATEMENT \"COMMENT\"'");
                await api.AnnotateAsync(Absolute(rest[..^1]), rest[^1], ct);
                return "";
            case "edit":
                var target = ConfigPath.Parse(Absolute(rest), allowValue: false);
                if (target.Target is LeafNode or LeafListNode || target.Steps is [.., { Node: ListNode, Key: null }])
                    throw new CliException($"'{target}' is not a level that can be edited; use 'set'");
                _editPath.Clear();
                _editPath.AddRange(target.Tokens);
                return "";
            case "up":
                Up();
                return "";
            case "update":
                return (await api.UpdateAsync(ct)).Message + "\n";
            case "top":
                _editPath.Clear();
                return "";
            case "show":
                if (stages.OfType<PipeStage.Compare>().FirstOrDefault() is { } compare)
                    return (await api.CompareAsync(compare.Rollback, ct)).Text;
                return await ShowConfigurationAsync("candidate", rest, stages, ct);
            case "commit":
                return await CommitAsync(rest, ct);
            case "rollback":
                int number = rest.Count == 0 ? 0 : Keyword.Number(rest[0], "rollback");
                return (await api.RollbackAsync(number, ct)).Message + "\n";
            case "load":
                return await LoadAsync(rest, ct);
            case "run":
                if (rest.Count == 0) throw new CliException("syntax error: 'run' needs an operational command");
                return await OperationalRunAsync(rest, stages, ct);
            default: // exit, quit
                bool wholeMode = rest.Count > 0 && Keyword.Resolve(rest[0], ["configuration-mode"], $"after '{verb}'") == "configuration-mode";
                if (!wholeMode && _editPath.Count > 0) { Up(); return ""; }
                return await ExitConfigurationAsync(ct);
        }
    }

    /// <summary>"run": any operational command from configuration mode, as Junos allows, but those that change modes.</summary>
    async Task<string> OperationalRunAsync(List<string> words, List<PipeStage> stages, CancellationToken ct)
    {
        string verb = Keyword.Resolve(words[0], Grammar.Operational.Select(c => c.Name), "after 'run'");
        if (verb is "configure" or "exit" or "quit")
            throw new CliException($"'run {verb}' is not available in configuration mode; use 'exit' first") { Token = words[0] };
        return await OperationalAsync(words, stages, ct);
    }

    async Task<string> CommitAsync(List<string> words, CancellationToken ct)
    {
        bool check = false, andQuit = false;
        int? minutes = null;
        string? comment = null;
        for (int i = 0; i < words.Count; i++)
        {
            string option = Keyword.Resolve(words[i], Grammar.CommitOptions.Select(c => c.Name), "after 'commit'");
            switch (option)
            {
                case "check": check = true; break;
                case "and-quit": andQuit = true; break;
                case "confirmed":
                    minutes = i + 1 < words.Count ? Keyword.Number(words[++i], "commit confirmed") : 10;
                    break;
                case "comment":
                    comment = i + 1 < words.Count ? words[++i] : throw new CliException("syntax error: 'commit comment' needs the text in quotes");
                    break;
            }
        }
        var result = await api.CommitAsync(new CommitParams(check, minutes, comment), ct);
        var sb = new StringBuilder(result.Message).Append('\n');
        if (andQuit && !check)
        {
            await api.ExitConfigAsync(false, ct);
            _configuring = false;
            _editPath.Clear();
            sb.Append("Exiting configuration mode\n");
        }
        return sb.ToString();
    }

    async Task<string> LoadAsync(List<string> words, CancellationToken ct)
    {
        if (words.Count != 2) throw new CliException("syntax error: 'load merge|replace|set FILE|terminal'");
        string mode = Keyword.Resolve(words[0], ["merge", "replace", "set"], "after 'load'");
        if (mode == "set") return await LoadSetAsync(await ReadFileOrTerminalAsync(words[1], ct), ct);
        string text = await ReadFileOrTerminalAsync(words[1], ct);
        // JSON (cped's document) starts with '{'; anything else is the curly-brace form 'show configuration' prints.
        var document = text.TrimStart().StartsWith('{') ? ConfigDocument.Parse(text) : ConfigHierarchyReader.Parse(text, _editPath);
        var result = await api.LoadAsync(mode, document, _editPath.ToArray(), ct);
        return result.Message + "\n";
    }

    /// <summary>
    /// "load set": set and delete commands from the top of the tree, one per line, as '| display set' prints them
    /// (blank lines and # comments skipped). All or none: at the first line that fails, the candidate goes back to what
    /// it was before the load, and the error names the line.
    /// </summary>
    async Task<string> LoadSetAsync(string text, CancellationToken ct)
    {
        var before = (await api.GetConfigAsync("candidate", ct: ct)).Document;
        var lines = text.Split('\n');
        int statements = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            try
            {
                var words = TokenText.Split(line);
                string verb = Keyword.Resolve(words[0], ["set", "delete"], "at the start of a loaded line");
                var path = words.Skip(1).ToArray();
                if (path.Length == 0) throw new CliException($"'{verb}' needs a path");
                if (verb == "set")
                {
                    if (path[^1] == "plain-text-password") throw new CliException("a loaded plain-text-password needs the password after it");
                    await api.SetAsync(await WithPasswordHashAsync(path), ct);
                }
                else await api.DeleteAsync(path, ct);
                statements++;
            }
            catch (Exception e) when (e is CliException or RpcException or ConfigException)
            {
                await api.LoadAsync("replace", before, [], ct);
                string why = e is RpcException r ? CliException.From(r).Message : e.Message;
                throw new CliException($"line {i + 1}: {why}; nothing was loaded");
            }
        }
        return $"load complete ({statements} statements)\n";
    }

    async Task<string> ExitConfigurationAsync(CancellationToken ct)
    {
        var status = await api.ConfigStatusAsync(ct);
        if (status.HasChanges)
        {
            io.Write(status.Exclusive
                ? "The configuration has been changed but not committed; leaving 'configure exclusive' discards the changes\n"
                : "The configuration has been changed but not committed\n");
            if (!Confirm("Exit with uncommitted changes?", defaultYes: true)) return "";
        }
        await api.ExitConfigAsync(false, ct);
        _configuring = false;
        _editPath.Clear();
        return "Exiting configuration mode\n";
    }

    void Up()
    {
        if (_editPath.Count == 0) throw new CliException("already at the top of the configuration");
        var current = ConfigPath.Parse(_editPath, allowValue: false);
        int drop = current.Steps[^1].Key is null ? 1 : 2;
        _editPath.RemoveRange(_editPath.Count - drop, drop);
    }

    string[] Absolute(List<string> words) => _editPath.Concat(words).ToArray();

    /// <summary>
    /// "set ... authentication plain-text-password [PASSWORD]": the CLI hashes the password here, so
    /// it never travels or is stored in clear; on a terminal it is asked for twice, without echo.
    /// </summary>
    async Task<string[]> WithPasswordHashAsync(string[] path)
    {
        int at = Array.IndexOf(path, "plain-text-password");
        if (at < 0 || at == 0 || path[at - 1] != "authentication") return path;
        string password;
        if (at + 1 < path.Length) password = path[at + 1];
        else if (io.IsInteractive)
        {
            password = _editor.ReadLine("New password: ", echo: false, remember: false) ?? "";
            string again = _editor.ReadLine("Retype new password: ", echo: false, remember: false) ?? "";
            if (password != again) throw new CliException("passwords do not match");
        }
        else throw new CliException("plain-text-password needs the password on a terminal, or as the next word");
        if (password.Length < 8) throw new CliException("a password needs at least 8 characters");
        string hash = await Task.Run(() => PasswordHash.Create(password));
        return [.. path[..at], "encrypted-password", hash];
    }
}
