using System.Net.Sockets;
using System.Text;
using Cpe.Interop;

namespace Cpe.Cli.Link;

/// <summary>
/// "cpe connect --device DEV": the technician's laptop on the box's console cable. A terminal like picocom (the
/// keys go to the box, the box's output to the screen; Ctrl-] leaves), that also speaks the console link: once the
/// box answers its hello, "cpe send FILE" in another window pushes a file through the same line while the session
/// goes on. Against a box that does not answer, it stays a plain terminal.
/// </summary>
public static class LaptopConnect
{
    const byte Leave = 0x1D;   // Ctrl-]

    public static string DefaultControl() =>
        Path.Combine(Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } run ? run : Path.GetTempPath(), $"cpe-connect-{Environment.UserName}.sock");

    public static async Task<int> RunAsync(string device, uint baud, string control, CancellationToken ct)
    {
        Terminal Open()
        {
            var line = Terminal.Open(device);
            line.EnterRawMode(baud, binary: true);
            return line;
        }
        using var port = LinkPort.Laptop(Open);
        // The terminal's own descriptors, not .NET's Console streams, which may change the terminal's settings.
        using var screen = Terminal.IsTerminal(1) ? Terminal.FromDescriptor(1) : null;
        using var pipe = screen is null ? Console.OpenStandardOutput() : null;
        var writing = new Lock();
        void Show(ReadOnlySpan<byte> bytes)
        {
            lock (writing)
            {
                if (screen is not null) screen.Write(bytes);
                else { pipe!.Write(bytes); pipe.Flush(); }
            }
        }
        void Status(string text) => Show(Encoding.UTF8.GetBytes($"\r\n[cpe connect: {text}]\r\n"));

        var sender = new FileSender(port);
        port.Plain = Show;
        port.Frame = (type, body) =>
        {
            if (type == FrameType.Terminal) Show(body);
            else sender.Post(type, body);
        };
        port.LinkChanged = up => Status(up ? $"linked with the box's console; 'cpe send FILE' pushes a file (Ctrl-] leaves)"
            : "the link to the box is lost; it comes back when the box's console answers (press Enter at its prompt)");
        port.LineLost = why => Status($"{device}: {why}; opening it again");

        using var keyboard = Terminal.IsTerminal(0) ? Terminal.FromDescriptor(0) : null;
        keyboard?.EnterRawMode();
        port.LocalSize = () => keyboard?.WindowSize();
        try
        {
            port.Start();
            Status($"on {device} at {baud} baud; Ctrl-] leaves");
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var listener = Listen(control);
            var serving = ServeAsync(listener, sender, stop.Token);
            await Task.Run(() => PumpKeys(port, keyboard), CancellationToken.None);
            stop.Cancel();
            await serving;
        }
        finally
        {
            keyboard?.Restore();
            File.Delete(control);
        }
        return ExitCodes.Ok;
    }

    /// <summary>The keyboard to the box until Ctrl-] or the end of input.</summary>
    static void PumpKeys(LinkPort port, Terminal? keyboard)
    {
        using var keys = keyboard is null ? Console.OpenStandardInput() : null;
        var buffer = new byte[256];
        while (true)
        {
            int n = keyboard?.Read(buffer) ?? keys!.Read(buffer);
            if (n <= 0) return;
            int leave = buffer.AsSpan(0, n).IndexOf(Leave);
            port.SendTerminal(buffer.AsSpan(0, leave < 0 ? n : leave));
            if (leave >= 0) return;
        }
    }

    /// <summary>The control socket "cpe send" talks to, only for this user; a socket left by a connect that died is replaced.</summary>
    static Socket Listen(string path)
    {
        if (File.Exists(path))
        {
            using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try { probe.Connect(new UnixDomainSocketEndPoint(path)); throw new CliException($"another 'cpe connect' is running ({path} answers)", ExitCodes.CommandFailed); }
            catch (SocketException) { File.Delete(path); }
        }
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        socket.Listen(4);
        return socket;
    }

    /// <summary>One "cpe send" at a time: the line carries one file; another is told to wait.</summary>
    static async Task ServeAsync(Socket listener, FileSender sender, CancellationToken ct)
    {
        var busy = new SemaphoreSlim(1, 1);
        try
        {
            while (true)
            {
                var client = await listener.AcceptAsync(ct);
                _ = Task.Run(() => ServeOneAsync(client, sender, busy, ct), CancellationToken.None);
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>A request is one line, "send PATH", at most this long, within <see cref="RequestWait"/> of connecting.</summary>
    const int MaxRequest = 4096;
    static readonly TimeSpan RequestWait = TimeSpan.FromSeconds(10);

    static async Task ServeOneAsync(Socket client, FileSender sender, SemaphoreSlim busy, CancellationToken ct)
    {
        await using var stream = new NetworkStream(client, ownsSocket: true);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        try
        {
            string? request;
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                wait.CancelAfter(RequestWait);
                request = await ReadRequestAsync(stream, wait.Token);
            }
            if (request is null || !request.StartsWith("send ", StringComparison.Ordinal))
            {
                await writer.WriteLineAsync("error: not a request this 'cpe connect' knows");
                return;
            }
            if (!await busy.WaitAsync(0, ct))
            {
                await writer.WriteLineAsync("error: another file is being sent on this line; try again when it is done");
                return;
            }
            // The client gone (Ctrl-C in cpe send) stops the transfer; what the box holds stays for a resume. Anything
            // it sends meanwhile is read and dropped.
            using var gone = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _ = Task.Run(async () =>
            {
                var scratch = new byte[256];
                try { while (await stream.ReadAsync(scratch, gone.Token) > 0) { } } catch (Exception) { }
                gone.Cancel();
            }, CancellationToken.None);
            try
            {
                string saved = await sender.SendAsync(request[5..], p => writer.WriteLine("progress: " + Describe(p)), gone.Token);
                await writer.WriteLineAsync($"done: the box saved it as {saved}");
            }
            finally { busy.Release(); }
        }
        catch (FileSender.RefusedException e) { await TryWriteAsync(writer, "error: the box refused it: " + e.Message); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { await TryWriteAsync(writer, "error: " + e.Message); }
        catch (OperationCanceledException) { }
    }

    /// <summary>The request line without its newline; null when it is longer than <see cref="MaxRequest"/>, not UTF-8, or the client left first.</summary>
    static async Task<string?> ReadRequestAsync(Stream stream, CancellationToken ct)
    {
        var line = new byte[MaxRequest + 1];
        // A byte at a time: a request is short, and nothing after its newline is taken from the client.
        for (int length = 0; length < line.Length; length++)
        {
            if (await stream.ReadAsync(line.AsMemory(length, 1), ct) == 0) return null;
            if (line[length] != (byte)'\n') continue;
            try { return new UTF8Encoding(false, true).GetString(line, 0, length); }
            catch (DecoderFallbackException) { return null; }
        }
        return null;
    }

    static async Task TryWriteAsync(StreamWriter writer, string line)
    {
        try { await writer.WriteLineAsync(line); } catch (IOException) { }
    }

    /// <summary>"cpe-firmware-2.0.0.cpeu: 35% (15360000 of 43905024 bytes), 88000 bytes/s, 5 min 24 s left".</summary>
    public static string Describe(FileSender.Progress p)
    {
        string head = $"{p.Name}: {p.Held * 100 / Math.Max(1, p.Size)}% ({p.Held} of {p.Size} bytes)";
        if (p.Event is not null) return $"{head}, {p.Event}";
        double seconds = p.Elapsed.TotalSeconds, rate = seconds > 0 ? (p.Held - p.StartedAt) / seconds : 0;
        if (rate <= 0) return $"{head}, waiting for the box";
        var left = TimeSpan.FromSeconds((p.Size - p.Held) / rate);
        return $"{head}, {rate:0} bytes/s, {(left.TotalMinutes >= 1 ? $"{(int)left.TotalMinutes} min " : "")}{left.Seconds} s left";
    }
}
