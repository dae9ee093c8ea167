using Cpe.Api;
using Cpe.Cli.Io;
using Cpe.Cli.Shell;

namespace Cpe.Cli;

/// <summary>
/// The serial console: banner, "login:" and "Password:" prompts, then the CLI as that user. The
/// password is checked by cped (PBKDF2); the session then takes the user's role, so an operator on
/// the console is an operator to the API too.
/// </summary>
public sealed class ConsoleLogin(string socketPath, ITerminalIo io)
{
    public async Task RunAsync(bool once, CancellationToken ct)
    {
        var editor = new LineEditor(io);
        while (!ct.IsCancellationRequested)
        {
            await using var api = await ConnectAsync(ct);
            var active = await api.GetConfigAsync("active", ct: ct);
            string host = active.Document["system"]?["host-name"]?.GetValue<string>() ?? "cpe";
            string? banner = active.Document["system"]?["login"]?["banner"]?.GetValue<string>();
            io.Write("\n");
            if (banner is not null) io.Write(banner.TrimEnd('\n') + "\n\n");
            string? user = editor.ReadLine($"{host} login: ", remember: false);
            if (user is null) return;   // the line hung up
            user = user.Trim();
            if (user.Length == 0) continue;
            string? password = editor.ReadLine("Password: ", echo: false, remember: false);
            if (password is null) return;
            try
            {
                var result = await api.AuthenticateAsync(user, password, ct);
                // With no login users configured (factory default) root stays root; otherwise take the user's role.
                if (result.Message is null) await api.AssumeAsync(user, ct);
                else io.Write($"Note: {result.Message}\n");
            }
            catch (RpcException e) when (e.Code is RpcErrorCodes.AuthenticationFailed or RpcErrorCodes.NotFound)
            {
                // Same answer for an unknown user and a wrong password; a pause slows guessing.
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
                io.Write("Login incorrect\n");
                continue;
            }
            io.Write($"\n--- {host}: CPE firmware; type ? for help ---\n");
            await new CliShell(api, io).RunInteractiveAsync(ct);
            if (once) return;
        }
    }

    /// <summary>
    /// The console is there before cped is (the box's init starts both) and outlives a cped restart: it waits for the
    /// API, saying so once, instead of ending (and being restarted in a loop by init).
    /// </summary>
    async Task<ApiClient> ConnectAsync(CancellationToken ct)
    {
        bool said = false;
        while (true)
        {
            try { return await ApiClient.ConnectAsync(socketPath, "cpe", ct); }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
            {
                if (!said) io.Write($"\nWaiting for the platform (cped) to start ({e.Message})...\n");
                said = true;
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }
}
