using System.Threading.Channels;

namespace Cpe.VendorServer.Storage;

/// <summary>
/// Check-ins are written in batches: one transaction per batch (up to <see cref="MaxBatch"/>, whatever arrived while
/// the last one was written) instead of one per check-in, which is what a fleet of thousands needs from SQLite and
/// PostgreSQL alike. A check-in is answered before its row is on disk; a crash loses at most the batch in flight
/// (history, not state: the device reports again at its next check-in). Stop flushes what is queued.
/// </summary>
public sealed class CheckInRecorder : IAsyncDisposable
{
    public const int MaxBatch = 1000;
    readonly Channel<CheckInEntry> _queue = Channel.CreateBounded<CheckInEntry>(new BoundedChannelOptions(50_000) { SingleReader = true });
    readonly ServerStore _store;
    readonly Task _writer;
    readonly ILogger _log;

    public CheckInRecorder(ServerStore store, ILogger log)
    {
        _store = store;
        _log = log;
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Queues a check-in; waits only when the queue is full (the database has fallen behind).</summary>
    public ValueTask RecordAsync(CheckInEntry entry, CancellationToken ct) => _queue.Writer.WriteAsync(entry, ct);

    async Task WriteAsync()
    {
        var batch = new List<CheckInEntry>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var e)) batch.Add(e);
            try { _store.AddCheckIns(batch); }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
            {
                Log.CheckInsNotRecorded(_log, batch.Count, e);
            }
            batch.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }
}
