using Cpe.Api;
using Nerdbank.Streams;

namespace Cpe.Platform.Api;

/// <summary>
/// The channels one connection may hold: only the names cped serves, and at most a few at once. An offer of any
/// other name, or one too many, ends the connection, so offers cped never accepts cannot pile up in memory.
/// </summary>
sealed class ChannelBudget(int max)
{
    static readonly HashSet<string> Served = [ApiMethods.RpcChannel, ApiMethods.EventsChannel, ApiMethods.LogsChannel];

    readonly TaskCompletionSource<string> _exceeded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _open;

    /// <summary>Completes with the reason once the connection has offered what it may not.</summary>
    public Task<string> Exceeded => _exceeded.Task;

    public void Offered(MultiplexingStream mux, MultiplexingStream.ChannelOfferEventArgs offer)
    {
        if (!Served.Contains(offer.Name))
        {
            try { mux.RejectChannel(offer.QualifiedId.Id); }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or KeyNotFoundException) { /* the connection ends anyway */ }
            _exceeded.TrySetResult($"offered a channel named '{Printable(offer.Name)}', which cped does not serve");
            return;
        }
        if (Interlocked.Increment(ref _open) > max) _exceeded.TrySetResult($"more than {max} channels open at once");
    }

    public void Closed() => Interlocked.Decrement(ref _open);

    static string Printable(string name)
    {
        var shown = name.Length > 40 ? name[..40] + "…" : name;
        return string.Concat(shown.Select(c => char.IsControl(c) ? '?' : c));
    }
}
