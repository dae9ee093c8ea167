using Cpe.Image.Slots;
using Cpe.TestKit;

namespace Cpe.UnitTests.Image;

[Trait("Kind", "Unit")]
public sealed class ImageStateTests : IDisposable
{
    readonly TempFolder _dir = new("cpe-image-state-");

    [Fact]
    public async Task A_record_removed_while_it_is_read_reads_as_none_never_as_an_error()
    {
        // image.status reads the slot records while an install forgets them: each read gets the record or nothing.
        var state = new ImageState(Path.Combine(_dir.Path, "state"));
        Assert.Null(state.Slot("a"));   // not even the folder yet
        var record = new SlotRecord("a", "2.0.0", "2.0.0", DateTimeOffset.UnixEpoch, 1 << 20, new string('a', 64));
        using var stop = new CancellationTokenSource();
        var churn = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                state.SetSlot(record);
                state.ForgetSlot("a");
            }
        });
        int seen = 0, missed = 0;
        var limit = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            // Until the record was seen both there and gone many times over (the window between is where a read broke).
            while ((seen < 200 || missed < 200) && limit.Elapsed < TimeSpan.FromSeconds(20))
                if (state.Slot("a") is { } read) { Assert.Equal(record, read); seen++; }
                else missed++;
        }
        finally
        {
            stop.Cancel();
            await churn;
        }
        Assert.True(seen >= 200 && missed >= 200, $"the record was read {seen} times and missed {missed} times: the test did not race");
    }

    public void Dispose() => _dir.Dispose();
}
