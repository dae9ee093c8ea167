using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;

namespace Cpe.Cli.Link;

/// <summary>
/// The laptop's side of a file pushed over the console link: a begin frame (name, size, SHA-256) answered by the
/// offset the box already holds, then kilobyte frames, at most <see cref="Window"/> ahead of what the box acknowledged.
/// A frame lost on the line shows as a gap (or no progress for <see cref="Stall"/>): the sender goes back to what the
/// box holds. The link lost (a cable pull), it waits and begins again, from where the box is.
/// </summary>
public sealed class FileSender(LinkPort port)
{
    public const int Window = 16 * 1024;
    static readonly TimeSpan Stall = TimeSpan.FromSeconds(2), DoneWait = TimeSpan.FromSeconds(5), OfferWait = TimeSpan.FromSeconds(3);

    readonly Channel<(FrameType Type, byte[] Body)> _answers = Channel.CreateBounded<(FrameType, byte[])>(
        new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropOldest });

    /// <summary>How far a transfer is: what the box holds, of how much, from where this attempt started, since when.</summary>
    public sealed record Progress(string Name, long Held, long Size, long StartedAt, TimeSpan Elapsed, string? Event);

    public sealed class RefusedException(string message) : Exception(message);

    /// <summary>An answer from the box (offer, acknowledgement, done, error), from the link's reader.</summary>
    public void Post(FrameType type, ReadOnlySpan<byte> body) => _answers.Writer.TryWrite((type, body.ToArray()));

    /// <summary>Sends <paramref name="path"/>; returns where the box saved it, or throws <see cref="RefusedException"/> with the box's reason.</summary>
    public async Task<string> SendAsync(string path, Action<Progress> report, CancellationToken ct)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        string name = Path.GetFileName(path);
        if (FileReceiver.ProblemWithName(name) is string bad) throw new RefusedException(bad);
        long size = file.Length;
        byte[] sha = await SHA256.HashDataAsync(file, ct);
        uint id = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var buffer = new byte[12 + LinkFrame.DataChunk];
        bool waiting = false;
        long known = 0;   // what the box held when last heard
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (!port.Linked)
            {
                if (!waiting) report(new Progress(name, known, size, known, clock.Elapsed, "waiting for the link to the box's console"));
                waiting = true;
                await Task.Delay(100, ct);
                continue;
            }
            waiting = false;
            Drain();
            port.Send(FrameType.Begin, BeginBody(id, size, sha, name));
            var answer = await NextAsync(id, OfferWait, ct);
            if (answer is not { } first) continue;
            if (Handle(first, out long offset, out _) is string done) return done;
            if (first.Type != FrameType.Offer) continue;
            known = offset;

            report(new Progress(name, offset, size, offset, clock.Elapsed, offset == 0 ? "sending" : $"resuming at {offset} bytes, which the box already holds"));
            long started = offset, held = offset, next = offset;
            long progressAt = clock.ElapsedMilliseconds, rewoundAt = 0, reportedAt = clock.ElapsedMilliseconds;
            var attempt = System.Diagnostics.Stopwatch.StartNew();
            while (port.Linked)
            {
                while (next < size && next - held < Window && port.Linked)
                {
                    file.Position = next;
                    int n = await file.ReadAsync(buffer.AsMemory(12, (int)Math.Min(LinkFrame.DataChunk, size - next)), ct);
                    BinaryPrimitives.WriteUInt32BigEndian(buffer, id);
                    BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(4), next);
                    port.Send(FrameType.Data, buffer.AsSpan(0, 12 + n));
                    next += n;
                }
                if (await NextAsync(id, TimeSpan.FromMilliseconds(200), ct) is { } a)
                {
                    if (Handle(a, out long boxHas, out bool gap) is string saved) return saved;
                    if (a.Type == FrameType.Error) break;   // the box lost the transfer: begin again
                    if (a.Type == FrameType.Ack)
                    {
                        if (boxHas > held) { held = known = boxHas; progressAt = clock.ElapsedMilliseconds; }
                        // Go back to what the box holds; frames still in flight will show gaps too, so once per half second.
                        if (gap && boxHas < next && clock.ElapsedMilliseconds - rewoundAt > 500) { next = boxHas; rewoundAt = clock.ElapsedMilliseconds; }
                    }
                }
                long now = clock.ElapsedMilliseconds;
                if (held == size && now - progressAt > DoneWait.TotalMilliseconds) break;   // the done was lost: begin again, the box answers it again
                if (held < size && next > held && now - progressAt > Stall.TotalMilliseconds) { next = held; progressAt = now; }
                if (now - reportedAt >= 1000)
                {
                    reportedAt = now;
                    report(new Progress(name, held, size, started, attempt.Elapsed, null));
                }
            }
        }
    }

    /// <summary>The path for a done frame; throws for a final error; else the offset (offer) or held bytes and gap (ack).</summary>
    static string? Handle((FrameType Type, byte[] Body) answer, out long offset, out bool gap)
    {
        var body = answer.Body.AsSpan(4);
        offset = body.Length >= 8 ? BinaryPrimitives.ReadInt64BigEndian(body) : 0;
        gap = body.Length >= 9 && body[8] == 1;
        return answer.Type switch
        {
            FrameType.Done => Encoding.UTF8.GetString(body),
            FrameType.Error when body.Length > 0 && body[0] == 1 => throw new RefusedException(Encoding.UTF8.GetString(body[1..])),
            _ => null,
        };
    }

    /// <summary>The next answer about <paramref name="id"/> within <paramref name="wait"/>, or null.</summary>
    async Task<(FrameType Type, byte[] Body)?> NextAsync(uint id, TimeSpan wait, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(wait);
        try
        {
            while (true)
            {
                var answer = await _answers.Reader.ReadAsync(timeout.Token);
                if (answer.Body.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(answer.Body) == id) return answer;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return null; }
    }

    void Drain()
    {
        while (_answers.Reader.TryRead(out _)) { }
    }

    static byte[] BeginBody(uint id, long size, byte[] sha, string name)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        var body = new byte[44 + nameBytes.Length];
        BinaryPrimitives.WriteUInt32BigEndian(body, id);
        BinaryPrimitives.WriteInt64BigEndian(body.AsSpan(4), size);
        sha.CopyTo(body, 12);
        nameBytes.CopyTo(body, 44);
        return body;
    }
}
