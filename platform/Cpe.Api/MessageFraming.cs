using System.Buffers;
using System.IO.Pipelines;

namespace Cpe.Api;

/// <summary>
/// Newline-delimited JSON messages on a pipe. A message longer than the limit is skipped up to
/// its newline and reported with its first bytes (where a JSON-RPC id usually is), so one oversized
/// request never ends the connection or the daemon, and its error can still name the request.
/// </summary>
public static class MessageFraming
{
    public const byte Delimiter = (byte)'\n';

    public static async Task ReadAsync(PipeReader reader, int maxBytes,
        Func<ReadOnlySequence<byte>, ValueTask> onMessage, Func<ReadOnlySequence<byte>, ValueTask> onOversize, CancellationToken ct)
    {
        bool skipping = false;
        while (true)
        {
            ReadResult result = await reader.ReadAsync(ct).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            while (true)
            {
                SequencePosition? newline = buffer.PositionOf(Delimiter);
                if (newline is null)
                {
                    if (!skipping && buffer.Length > maxBytes)
                    {
                        skipping = true;
                        await onOversize(buffer).ConfigureAwait(false);
                    }
                    if (skipping) buffer = buffer.Slice(buffer.End);
                    break;
                }
                var message = buffer.Slice(0, newline.Value);
                buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
                if (skipping) { skipping = false; continue; }
                if (message.Length > maxBytes) { await onOversize(message).ConfigureAwait(false); continue; }
                if (!IsBlank(message)) await onMessage(message).ConfigureAwait(false);
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled) break;
        }
        await reader.CompleteAsync().ConfigureAwait(false);
    }

    public static async ValueTask WriteAsync(PipeWriter writer, ReadOnlyMemory<byte> json, SemaphoreSlim gate, CancellationToken ct)
    {
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            writer.Write(json.Span);
            writer.Write([Delimiter]);
            await writer.FlushAsync(ct).ConfigureAwait(false);
        }
        finally { gate.Release(); }
    }

    static bool IsBlank(ReadOnlySequence<byte> message)
    {
        foreach (var segment in message)
            foreach (byte b in segment.Span)
                if (b is not ((byte)' ' or (byte)'\r' or (byte)'\t')) return false;
        return true;
    }
}
