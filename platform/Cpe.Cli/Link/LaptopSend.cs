using System.Net.Sockets;
using System.Text;

namespace Cpe.Cli.Link;

/// <summary>
/// "cpe send FILE": hands FILE to the "cpe connect" running on this laptop, which pushes it over the console cable;
/// prints its progress and where the box saved it. Ctrl-C stops it; sending the same file again resumes from what
/// the box already holds.
/// </summary>
public static class LaptopSend
{
    public static async Task<int> RunAsync(string file, string control, CancellationToken ct)
    {
        string path = Path.GetFullPath(file);
        if (!File.Exists(path)) throw new CliException($"{file}: no such file", ExitCodes.Usage);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try { await socket.ConnectAsync(new UnixDomainSocketEndPoint(control), ct); }
        catch (SocketException e) { throw new CliException($"no 'cpe connect' answers on {control} ({e.Message}): start it on the console cable first", ExitCodes.Unreachable); }
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await stream.WriteAsync(Encoding.UTF8.GetBytes($"send {path}\n"), ct);
        while (await reader.ReadLineAsync(ct) is string line)
        {
            if (line.StartsWith("progress: ", StringComparison.Ordinal)) Console.Out.WriteLine(line[10..]);
            else if (line.StartsWith("done: ", StringComparison.Ordinal)) { Console.Out.WriteLine(line[6..]); return ExitCodes.Ok; }
            else { Console.Error.WriteLine(line.StartsWith("error: ", StringComparison.Ordinal) ? line : "error: " + line); return ExitCodes.CommandFailed; }
        }
        Console.Error.WriteLine("error: 'cpe connect' stopped before the file was sent; send it again to resume");
        return ExitCodes.CommandFailed;
    }
}
