using System.Net.Sockets;
using Cpe.Api;
using Cpe.Cli.Io;
using Cpe.Cli.Shell;
using Cpe.Config;
using Cpe.Interop;

namespace Cpe.Cli;

/// <summary>
/// cpe's entry point: "cpe [--socket PATH] [-c COMMANDS]" (interactive on a terminal, else commands
/// from standard input) and "cpe console --device DEV [--baud N]" (login on a serial line).
/// </summary>
public static class CliProgram
{
    public const string Usage = """
        usage: cpe [--socket PATH] [-c "COMMAND; COMMAND..."]
               cpe [--socket PATH] console --device DEVICE [--baud RATE] [--once]
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        string socket = Environment.GetEnvironmentVariable("CPE_SOCKET") ?? ApiClient.DefaultSocket;
        string? commands = null, device = null;
        uint baud = 115200;
        bool console = false, once = false;
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new CliException($"{args[i]} needs a value", ExitCodes.Usage);
                switch (args[i])
                {
                    case "--socket": socket = Next(); break;
                    case "-c": commands = Next(); break;
                    case "console": console = true; break;
                    case "--device": device = Next(); break;
                    case "--baud": baud = uint.TryParse(Next(), out var b) ? b : throw new CliException("--baud needs a number", ExitCodes.Usage); break;
                    case "--once": once = true; break;
                    case "-h" or "--help": Console.Out.WriteLine(Usage); return ExitCodes.Ok;
                    default: throw new CliException($"unknown argument '{args[i]}'", ExitCodes.Usage);
                }
            }
            if (console && device is null) throw new CliException("console needs --device", ExitCodes.Usage);
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"cpe: {e.Message}\n{Usage}");
            return e.ExitCode;
        }

        using var cancel = new CancellationTokenSource();
        try
        {
            if (console) return await RunConsoleAsync(socket, device!, baud, once, cancel.Token);
            if (commands is not null) return await RunCommandsAsync(socket, SplitCommands(commands), cancel.Token);
            if (!Terminal.IsTerminal(0)) return await RunCommandsAsync(socket, ReadStdin(), cancel.Token);
            return await RunInteractiveAsync(socket, cancel.Token);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            Console.Error.WriteLine($"error: cannot reach cped at {socket}: {e.Message} (is cped running?)");
            return ExitCodes.Unreachable;
        }
        catch (RpcException e)
        {
            var c = CliException.From(e);
            Console.Error.WriteLine("error: " + c.Message);
            return c.ExitCode;
        }
        catch (LinuxException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return ExitCodes.CommandFailed;
        }
    }

    static async Task<int> RunCommandsAsync(string socket, IEnumerable<string> commands, CancellationToken ct)
    {
        await using var api = await ApiClient.ConnectAsync(socket, "cpe", ct);
        var io = new PipeIo(Console.In, Console.Out, Console.Error);
        return await new CliShell(api, io).RunScriptAsync(commands, ct);
    }

    static async Task<int> RunInteractiveAsync(string socket, CancellationToken ct)
    {
        await using var api = await ApiClient.ConnectAsync(socket, "cpe", ct);
        using var terminal = Terminal.FromDescriptor(0);
        using var output = Terminal.FromDescriptor(1);
        terminal.EnterRawMode();
        try
        {
            await new CliShell(api, new TtyIo(terminal, output)).RunInteractiveAsync(ct);
        }
        finally { terminal.Restore(); }
        return ExitCodes.Ok;
    }

    static async Task<int> RunConsoleAsync(string socket, string device, uint baud, bool once, CancellationToken ct)
    {
        using var terminal = Terminal.Open(device);
        terminal.EnterRawMode(baud);
        await new ConsoleLogin(socket, new TtyIo(terminal)).RunAsync(once, ct);
        return ExitCodes.Ok;
    }

    /// <summary>Splits "-c" text on ";" outside double quotes.</summary>
    public static List<string> SplitCommands(string text) =>
        TokenText.SplitOutsideQuotes(text, ';').Select(c => c.Trim()).Where(c => c.Length > 0).ToList();

    static IEnumerable<string> ReadStdin()
    {
        while (Console.In.ReadLine() is string line) yield return line;
    }
}
