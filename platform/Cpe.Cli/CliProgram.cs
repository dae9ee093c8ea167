using System.Net.Sockets;
using Cpe.Api;
using Cpe.Cli.Io;
using Cpe.Cli.Link;
using Cpe.Cli.Shell;
using Cpe.Config;
using Cpe.Interop;

namespace Cpe.Cli;

/// <summary>
/// cpe's entry point: "cpe [--socket PATH] [-c COMMANDS]" (interactive on a terminal, else commands
/// from standard input), "cpe console --device DEV [--baud N]" (login on a serial line), and on the technician's
/// laptop "cpe connect --device DEV" and "cpe send FILE" (the console cable as a terminal and a file transport).
/// </summary>
public static class CliProgram
{
    public const string Usage = """
        usage: cpe [--socket PATH] [-c "COMMAND; COMMAND..."]
               cpe [--socket PATH] console --device DEVICE [--baud RATE] [--incoming DIR] [--once]
               cpe connect --device DEVICE [--baud RATE] [--control SOCKET]     (on the laptop)
               cpe send FILE [--control SOCKET]                                 (on the laptop)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        string socket = Environment.GetEnvironmentVariable("CPE_SOCKET") ?? ApiClient.DefaultSocket;
        string? commands = null, device = null, file = null;
        string incoming = "/data/incoming", control = LaptopConnect.DefaultControl();
        uint baud = 115200;
        bool console = false, once = false, connect = false, send = false;
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
                    case "--incoming": incoming = Next(); break;
                    case "connect" when i == 0: connect = true; break;
                    case "send" when i == 0: send = true; file = Next(); break;
                    case "--control": control = Next(); break;
                    case "-h" or "--help": Console.Out.WriteLine(Usage); return ExitCodes.Ok;
                    default: throw new CliException($"unknown argument '{args[i]}'", ExitCodes.Usage);
                }
            }
            if ((console || connect) && device is null) throw new CliException($"{(console ? "console" : "connect")} needs --device", ExitCodes.Usage);
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"cpe: {e.Message}\n{Usage}");
            return e.ExitCode;
        }

        using var cancel = new CancellationTokenSource();
        try
        {
            if (console) return await RunConsoleAsync(socket, device!, baud, incoming, once, cancel.Token);
            if (connect) return await LaptopConnect.RunAsync(device!, baud, control, cancel.Token);
            if (send) return await LaptopSend.RunAsync(file!, control, cancel.Token);
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
        catch (CliException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return e.ExitCode;
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

    static async Task<int> RunConsoleAsync(string socket, string device, uint baud, string incoming, bool once, CancellationToken ct)
    {
        using var terminal = Terminal.Open(device);
        terminal.EnterRawMode(baud, binary: true);
        // What reached the line before the console ran (keys, a laptop's hellos, held by the kernel's line editing
        // while the box booted) is stale: it must not become the login name.
        terminal.DiscardInput();
        using var line = new ConsoleLinkIo(terminal, incoming);
        await new ConsoleLogin(socket, line, line.Files).RunAsync(once, ct);
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
