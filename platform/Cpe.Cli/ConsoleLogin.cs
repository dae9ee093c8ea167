using Cpe.Api;
using Cpe.Cli.Io;
using Cpe.Cli.Link;
using Cpe.Cli.Shell;

namespace Cpe.Cli;

/// <summary>
/// The serial console: banner, "login:" and "Password:" prompts, then the CLI as that user. The
/// password is checked by cped (PBKDF2); the session then takes the user's role, so an operator on
/// the console is an operator to the API too. The console outlives cped: when cped restarts (a crash,
/// the watchdog, an upgrade) the line stays up, says so, and the session goes on as the same user once
/// cped answers again (docs/guides/cli.md, "The serial console").
/// </summary>
/// <remarks>
/// With <paramref name="files"/> (the console link), files pushed from the technician's laptop are accepted while an
/// admin-class user is logged in, and what happens to them is told above the prompt.
/// </remarks>
public sealed partial class ConsoleLogin(string socketPath, ITerminalIo io, FileReceiver? files = null)
{
    public async Task RunAsync(bool once, CancellationToken ct)
    {
        var editor = new LineEditor(io);
        if (files is not null) files.Notice = editor.Interject;
        while (!ct.IsCancellationRequested)
        {
            var api = await ConnectAsync(ct);
            LoggedIn? user;
            try { user = await LogInAsync(api, editor, ct); }
            catch (ApiConnectionLostException)
            {
                io.Write("\nThe platform (cped) stopped; the console waits for it to start again.\n");
                await api.DisposeAsync();
                continue;
            }
            if (user is null || user.Name.Length == 0) await api.DisposeAsync();
            if (user is null) return;   // the line hung up
            if (user.Name.Length == 0) continue;
            await RunSessionAsync(api, user, ct);
            if (files is not null) files.Notice = editor.Interject;
            if (once) return;
        }
    }

    /// <summary>Who logged in, and whether the session took that user's role (not when the box has no login users yet).</summary>
    sealed record LoggedIn(string Name, bool Assumed);

    /// <summary>The banner and the prompts (zero-touch's stages shown above them meanwhile); null when the line hung up, an empty name to ask again.</summary>
    async Task<LoggedIn?> LogInAsync(ApiClient api, LineEditor editor, CancellationToken ct)
    {
        using var prompting = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var stages = ShowZeroTouchStagesAsync(api, editor, prompting.Token);
        try { return await PromptAsync(api, editor, ct); }
        finally
        {
            prompting.Cancel();
            await stages;
            editor.DropHeld();   // a stage that came while the password was checked is old news at the next login
        }
    }

    /// <summary>
    /// While the console waits for a login, zero-touch's stages are written on it as they happen, above the prompt,
    /// each once (a retry round that finds the same is not told again; the wait before the next round is left out of
    /// the comparison), as a box shows its auto-install progress before anyone logs in. Fleet check-ins are not stages.
    /// </summary>
    static Task ShowZeroTouchStagesAsync(ApiClient api, LineEditor editor, CancellationToken ct)
    {
        var shown = new HashSet<string>(StringComparer.Ordinal);
        return Broadcasts.ShowAsync(api, editor,
            e => e.Type == "ztp" && !e.Text.StartsWith("in-service", StringComparison.Ordinal) && shown.Add(NextRound().Replace(e.Text, ""))
                ? "zero-touch " + e.Text : null, ct);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"; next round in [0-9.]+ s")]
    private static partial System.Text.RegularExpressions.Regex NextRound();

    async Task<LoggedIn?> PromptAsync(ApiClient api, LineEditor editor, CancellationToken ct)
    {
        var active = await api.GetConfigAsync("active", ct: ct);
        string host = active.Document["system"]?["host-name"]?.GetValue<string>() ?? "cpe";
        string? banner = active.Document["system"]?["login"]?["banner"]?.GetValue<string>();
        io.Write("\n");
        if (banner is not null) io.Write(banner.TrimEnd('\n') + "\n\n");
        string? user = editor.ReadLine($"{host} login: ", remember: false);
        if (user is null) return null;
        user = user.Trim();
        if (user.Length == 0) return new LoggedIn("", false);
        string? password = editor.ReadLine("Password: ", echo: false, remember: false);
        if (password is null) return null;
        try
        {
            var result = await api.AuthenticateAsync(user, password, ct);
            // With no login users configured (factory default) root stays root; otherwise take the user's role.
            if (result.Message is null) await api.AssumeAsync(user, ct);
            else io.Write($"Note: {result.Message}\n");
            io.Write($"\n--- {host}: CPE firmware; type ? for help ---\n");
            return new LoggedIn(user, result.Message is null);
        }
        catch (RpcException e) when (e.Code is RpcErrorCodes.AuthenticationFailed or RpcErrorCodes.NotFound)
        {
            // Same answer for an unknown user and a wrong password; a pause slows guessing.
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            io.Write("Login incorrect\n");
            return new LoggedIn("", false);
        }
    }

    /// <summary>
    /// The CLI until the user leaves. When cped goes away under it, the session reconnects and takes the same user's
    /// role again (the console runs as root, which may), without asking for the password again: a technician in the
    /// middle of a job keeps the line. The connection is the session's from here on.
    /// </summary>
    async Task RunSessionAsync(ApiClient api, LoggedIn user, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var shell = new CliShell(api, io) { IncomingFolder = files?.Folder ?? "/data/incoming" };
                try
                {
                    await AcceptFilesAsync(api, shell, ct);
                    await shell.RunInteractiveAsync(ct);
                    return;
                }
                catch (ApiConnectionLostException)
                {
                    io.Write("\nThe platform (cped) stopped; the last command may not have finished. Waiting for it to start again...\n");
                    await api.DisposeAsync();
                    api = await ConnectAsync(ct, quiet: true);
                    // Lost again before this answers: the shell's first call finds out, and this comes round again.
                    try { if (user.Assumed) await api.AssumeAsync(user.Name, ct); }
                    catch (RpcException e)
                    {
                        io.Write($"{user.Name} can no longer log in ({CliException.From(e).Message}); logged out.\n");
                        return;
                    }
                    catch (ApiConnectionLostException) { continue; }
                    io.Write($"The platform is back; {user.Name} is still logged in, in operational mode.\n");
                }
            }
        }
        finally
        {
            if (files is not null) files.Refusal = () => "nobody is logged in on the console";
            await api.DisposeAsync();
        }
    }

    /// <summary>Files from the laptop are taken while this session's user has the admin class; notices go above its prompt.</summary>
    async Task AcceptFilesAsync(ApiClient api, CliShell shell, CancellationToken ct)
    {
        if (files is null) return;
        var who = await api.WhoAmIAsync(ct);
        files.Notice = shell.Interject;
        files.Refusal = who.Role == "admin" ? () => null : () => $"{who.User} has the {who.Role} class";
    }

    /// <summary>
    /// The console is there before cped is (the box's init starts both) and outlives a cped restart: it waits for the
    /// API, saying so once, instead of ending (and being restarted in a loop by init). Keys typed meanwhile are
    /// dropped: nothing read them, and they must not become the next login name or command.
    /// </summary>
    async Task<ApiClient> ConnectAsync(CancellationToken ct, bool quiet = false)
    {
        bool waited = false;
        while (true)
        {
            try
            {
                var api = await ApiClient.ConnectAsync(socketPath, "cpe", ct);
                if (waited) io.DiscardInput();
                return api;
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
            {
                if (!waited && !quiet) io.Write($"\nWaiting for the platform (cped) to start ({Why(e)})...\n");
                waited = true;
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    /// <summary>What a technician makes of a failed connect: .NET words a missing socket file as "Cannot assign requested address".</summary>
    string Why(Exception e) => (e as System.Net.Sockets.SocketException)?.SocketErrorCode switch
    {
        System.Net.Sockets.SocketError.AddressNotAvailable => $"{socketPath} is not there yet",
        System.Net.Sockets.SocketError.ConnectionRefused => $"nothing answers on {socketPath} yet",
        _ => e.Message,
    };
}
