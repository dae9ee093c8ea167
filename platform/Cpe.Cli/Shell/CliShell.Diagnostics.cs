using System.Globalization;
using System.Text;
using Cpe.Api;
using Cpe.Cli.Output;

namespace Cpe.Cli.Shell;

// The field tools (docs/guides/cli.md, "Field tools"): ping and traceroute, made of cped's one-echo-request probes so
// that each answer shows as it comes and Ctrl-C stops between two; monitor log, live until Ctrl-C.
public sealed partial class CliShell
{
    /// <summary>What ping and traceroute take after the host, in any order, as Junos has them (each keyword may be shortened).</summary>
    sealed class ProbeOptions
    {
        public int? Count, Size, Ttl;
        public double? Wait, Interval;
        public bool Rapid, DoNotFragment;
        public string? Source, Interface, Vnf;
    }

    /// <summary>The host and the options after it; which options <paramref name="command"/> takes is its grammar's (its children).</summary>
    static (string Host, ProbeOptions Options) ParseProbe(string command, List<string> words)
    {
        var allowed = Grammar.Operational.First(c => c.Name == command).Children.Select(c => c.Name).ToArray();
        if (words.Count == 0) throw new CliException($"syntax error: '{command}' needs a host: '{command} HOST [{string.Join("] [", allowed)}]'");
        var o = new ProbeOptions();
        for (int i = 1; i < words.Count; i++)
        {
            string option = Keyword.Resolve(words[i], allowed, $"after '{command} {words[0]}'");
            if (option is "rapid") { o.Rapid = true; continue; }
            if (option is "do-not-fragment") { o.DoNotFragment = true; continue; }
            if (++i >= words.Count) throw new CliException($"syntax error: '{option}' needs a value") { Token = words[i - 1] };
            string value = words[i];
            int Whole(int min, int max) => Keyword.Number(value, $"'{option}'") is var n && n >= min && n <= max ? n
                : throw new CliException($"'{option}' must be {min}..{max}") { Token = value };
            double Seconds(double min, double max) =>
                double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double s) && s >= min && s <= max ? s
                    : throw new CliException($"'{option}' must be {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)} seconds") { Token = value };
            switch (option)
            {
                case "count": o.Count = Whole(1, 1_000_000); break;
                case "size": o.Size = Whole(0, 65_468); break;
                case "ttl": o.Ttl = Whole(1, 255); break;
                case "wait": o.Wait = Seconds(0.001, 10); break;
                case "interval": o.Interval = Seconds(0.1, 60); break;
                case "source": o.Source = value; break;
                case "interface": o.Interface = value; break;
                default: o.Vnf = value; break;
            }
        }
        return (words[0], o);
    }

    /// <summary>"ping HOST [options]": until Ctrl-C on a terminal (5 requests from a script, or with rapid), then the statistics.</summary>
    async Task<string> PingAsync(List<string> words, CancellationToken ct)
    {
        var (host, o) = ParseProbe("ping", words);
        int? count = o.Count ?? (o.Rapid || !io.IsInteractive ? 5 : null);
        var interval = TimeSpan.FromSeconds(o.Interval ?? (o.Rapid ? 0 : 1));
        int size = o.Size ?? 56, identifier = Random.Shared.Next(1, 65_536);
        int waitMs = (int)Math.Ceiling((o.Wait ?? 1) * 1000);
        var times = new List<double>();
        int sent = 0;
        bool interrupted = false;
        string? target = null;
        for (int seq = 0; count is null || seq < count; seq++)
        {
            long started = Environment.TickCount64;
            var r = await api.ProbeAsync(new ProbeParams(host, o.Vnf, o.Source, o.Interface, size, o.Ttl, waitMs, seq & 0xffff, identifier, o.DoNotFragment), ct);
            if (target is null)
            {
                target = r.Target;
                io.Write($"PING {host} ({target}): {size} data bytes\n");
            }
            sent++;
            if (r.Outcome == "reply") times.Add(r.RttMs ?? 0);
            io.Write(o.Rapid ? (r.Outcome == "reply" ? "!" : ".") : PingLine(r, seq));
            if (count is int c && seq + 1 >= c) break;
            var left = interval - TimeSpan.FromMilliseconds(Environment.TickCount64 - started);
            if (io.WaitForInterrupt(left > TimeSpan.Zero ? left : TimeSpan.Zero)) { interrupted = true; break; }
        }
        if (o.Rapid) io.Write("\n");
        if (interrupted) io.Write("^C\n");
        return PingStatistics(target ?? host, sent, times);
    }

    static string PingLine(ProbeResult r, int seq) => r.Outcome switch
    {
        "reply" => string.Create(CultureInfo.InvariantCulture, $"{r.Bytes} bytes from {r.From}: icmp_seq={seq}{(r.Ttl is int t ? $" ttl={t}" : "")} time={r.RttMs:0.000} ms\n"),
        "timeout" => $"Request timeout for icmp_seq {seq}\n",
        _ => $"{(r.From is null ? "" : $"From {r.From}: ")}icmp_seq={seq} {r.Detail}\n",
    };

    static string PingStatistics(string target, int sent, List<double> times)
    {
        var sb = new StringBuilder($"--- {target} ping statistics ---\n");
        int loss = sent == 0 ? 0 : (sent - times.Count) * 100 / sent;
        sb.Append(CultureInfo.InvariantCulture, $"{sent} packets transmitted, {times.Count} packets received, {loss}% packet loss\n");
        if (times.Count > 0)
        {
            double avg = times.Average(), stddev = Math.Sqrt(times.Sum(t => (t - avg) * (t - avg)) / times.Count);
            sb.Append(CultureInfo.InvariantCulture, $"round-trip min/avg/max/stddev = {times.Min():0.000}/{avg:0.000}/{times.Max():0.000}/{stddev:0.000} ms\n");
        }
        return sb.ToString();
    }

    /// <summary>
    /// "traceroute HOST [options]": echo requests with a growing TTL, three a hop, each router that says its time
    /// exceeded shown with the round trips; it ends at the host, at a hop that answers only unreachable, or at ttl.
    /// </summary>
    async Task<string> TracerouteAsync(List<string> words, CancellationToken ct)
    {
        const int ProbesPerHop = 3, PayloadBytes = 32;
        var (host, o) = ParseProbe("traceroute", words);
        int maxTtl = o.Ttl ?? 30, identifier = Random.Shared.Next(1, 65_536);
        int waitMs = (int)Math.Ceiling((o.Wait ?? 2) * 1000);
        string? target = null;
        for (int ttl = 1; ttl <= maxTtl; ttl++)
        {
            string? lastFrom = null;
            bool reached = false, allUnreachable = true;
            for (int i = 0; i < ProbesPerHop; i++)
            {
                var r = await api.ProbeAsync(new ProbeParams(host, o.Vnf, o.Source, o.Interface, PayloadBytes, ttl, waitMs, (ttl * ProbesPerHop + i) & 0xffff, identifier), ct);
                if (target is null)
                {
                    target = r.Target;
                    int header = target.Contains(':', StringComparison.Ordinal) ? 40 : 20;
                    io.Write($"traceroute to {host} ({target}), {maxTtl} hops max, {header + 8 + PayloadBytes} byte packets\n");
                }
                if (i == 0) io.Write($"{ttl,2} ");
                if (r.From is string from && from != lastFrom)
                {
                    io.Write($" {from}");
                    lastFrom = from;
                }
                // A probe the box could not send (no route, larger than the MTU) says why instead of a time.
                string mark = r.Outcome == "timeout" ? " *" : r.RttMs is double ms ? string.Create(CultureInfo.InvariantCulture, $"  {ms:0.000} ms") : $" ({r.Detail})";
                io.Write(r.Flag is null ? mark : $"{mark} {r.Flag}");
                reached |= r.Outcome == "reply";
                allUnreachable &= r.Outcome == "unreachable";
                if (io.WaitForInterrupt(TimeSpan.Zero)) { io.Write("\n^C\n"); return ""; }
            }
            io.Write("\n");
            if (reached || allUnreachable) break;
        }
        return "";
    }

    /// <summary>"monitor log": the platform's log lines and events as cped writes them, on a terminal, until Ctrl-C.</summary>
    async Task<string> MonitorLogAsync(CancellationToken ct)
    {
        if (!io.IsInteractive) throw new CliException("'monitor log' runs until Ctrl-C, so it needs a terminal; 'show log messages' reads the log from a script");
        io.Write("Showing the platform's log and events as they happen; Ctrl-C stops.\n");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var screen = new Lock();
        async Task ShowAsync<T>(IAsyncEnumerable<T> items, Func<T, string> line)
        {
            try
            {
                await foreach (var item in items)
                    lock (screen) io.Write(TextWrap.Fit(line(item) + "\n", io.Size.Columns));
            }
            catch (OperationCanceledException) { }
            catch (ApiConnectionLostException) { lock (screen) io.Write("The connection to the platform was lost.\n"); }
        }
        var logs = ShowAsync(api.LogsAsync(stop.Token), l => $"{Time(l.Time)} {l.Level} {l.Category}[{l.EventId}]: {l.Message}");
        var events = ShowAsync(api.EventsAsync(stop.Token), e => $"{Time(e.Time)} event {e.Type}: {e.Text}");
        while (!io.WaitForInterrupt(TimeSpan.FromMilliseconds(250)) && !(logs.IsCompleted && events.IsCompleted)) { }
        stop.Cancel();
        await Task.WhenAll(logs, events);
        return "";
    }

    /// <summary>"show log messages [count]": the newest lines of the platform's log file (1000 unless told; '| last N' and the pager apply).</summary>
    async Task<string> ShowMessagesAsync(List<string> words, CancellationToken ct)
    {
        if (words.Count > 1) throw new CliException($"syntax error: unexpected '{words[1]}'") { Token = words[1] };
        int count = words.Count == 1 ? Keyword.Number(words[0], "'show log messages'") : 1000;
        var result = await api.MessagesAsync(count, ct);
        if (result.File is null) return "The platform keeps no log file here (cped runs without --log-file: its log goes to standard error).\n";
        return string.Concat(result.Lines.Select(l => LocalLine(l) + "\n"));
    }

    /// <summary>A log line with its UTC time stamp ("2026-12-07 03:10:11.123 ...") in the session's time zone, as every time the CLI shows.</summary>
    string LocalLine(string line)
    {
        const int StampLength = 23;
        return line.Length > StampLength && DateTimeOffset.TryParseExact(line[..StampLength], "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var at) ? Time(at) + line[StampLength..] : line;
    }
}
